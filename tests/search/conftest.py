"""Search fixtures: a small four-language docs tree imported into the app (and so indexed)."""
import pytest

DOCS = {
    "en/index.md": "# Welcome\n\nThis portal documents the example framework.\n",
    "en/tutorial/request-files.md": (
        "# Request Files\n\nYou can define files to be uploaded by the client using `File`.\n\n"
        "## Multiple file uploads\n\nIt is possible to upload several files at the same time.\n"),
    "en/tutorial/security.md": (
        "# Security\n\nAuthentication with OAuth2 and JWT tokens.\n\n"
        "## Password hashing\n\nNever store passwords in plain text; hash them.\n"),
    "en/tutorial/background-tasks.md": (
        "# Background Tasks\n\nRun tasks after returning a response, like sending an email "
        "notification.\n"),
    "en/deployment/docker.md": "# FastAPI in Containers - Docker\n\nBuild a Docker image and deploy it.\n",
    "ko/index.md": "# 환영합니다\n\n이 포털은 예제 프레임워크를 설명합니다.\n",
    "ko/tutorial/request-files.md": (
        "# 파일 요청\n\n`File`을 사용하여 클라이언트가 업로드할 파일들을 정의할 수 있습니다.\n\n"
        "## 다중 파일 업로드\n\n여러 파일을 동시에 업로드할 수 있습니다.\n"),
    "ko/tutorial/security.md": (
        "# 보안\n\nOAuth2와 JWT 토큰으로 인증하는 방법입니다.\n\n"
        "## 비밀번호 해싱\n\n비밀번호는 해싱해서 저장하세요.\n"),
    "ko/tutorial/background-tasks.md": (
        "# 백그라운드 작업\n\n응답을 반환한 후에 실행할 작업을 정의할 수 있습니다. 이메일 알림 전송 등.\n"),
    "ko/deployment/docker.md": "# 컨테이너의 FastAPI - 도커\n\n도커 이미지를 만들어 배포합니다.\n",
    "ja/tutorial/request-files.md": (
        "# リクエストファイル\n\n`File`を使用してクライアントがアップロードするファイルを定義できます。\n"),
    "es/tutorial/request-files.md": (
        "# Archivos en la petición\n\nPuedes definir archivos que el cliente subirá usando `File`. "
        "La configuración de la aplicación es sencilla.\n"),
}


@pytest.fixture
def docs(make_docs, import_docs):
    """The small docs tree, imported (which indexes it after commit)."""
    return import_docs(make_docs(DOCS))


def slugs(result):
    """Slugs of a search result's hits, best first."""
    return [hit.slug for hit in result.hits]
