"""Korean: one spelling for words Korean docs write two ways (loanword, native word, English).

A reader types `파라미터` where the page says `매개변수`, `웹소켓` where it keeps `WebSocket`,
`에러` where it says `오류`. Before tokenizing, page text and queries alike have each
variant below replaced by one canonical spelling, so either way of writing finds the other.
The table is small and curated: pairs common in Korean technical writing (checked against
how the FastAPI Korean translation writes them), not words picked from any query set.
Adding a pair changes what is indexed: bump `engine.INDEX_FORMAT` and reindex.
"""
import re

from portal.search.analysis import ScriptTokenizer

# variant -> canonical. Canonical = the spelling the Korean pages mostly use (or English,
# where they keep the English word). Longest variants are tried first.
VARIANTS = {
    # parameters, body, errors, tasks, request/response
    "파라미터": "매개변수", "패러미터": "매개변수", "인자값": "매개변수",
    "바디": "본문", "에러": "오류", "익셉션": "예외", "태스크": "작업",
    "리퀘스트": "요청", "리스폰스": "응답",
    # words the Korean pages keep in English
    "웹 소켓": "WebSocket", "웹소켓": "WebSocket", "데이터클래스": "dataclass",
    "데이터 클래스": "dataclass", "라이프스팬": "lifespan", "웹훅": "webhook",
    "웹 훅": "webhook", "리다이렉트": "redirect", "리디렉트": "redirect",
    "리다이렉션": "redirect", "리디렉션": "redirect", "도커": "Docker",
    "스웨거": "Swagger", "쿠버네티스": "Kubernetes", "파이댄틱": "Pydantic",
    "유비콘": "Uvicorn", "유비코른": "Uvicorn", "거니콘": "Gunicorn", "스타렛": "Starlette",
    "스탈렛": "Starlette", "제이슨": "JSON", "오픈API": "OpenAPI", "오픈 API": "OpenAPI",
    "타입스크립트": "TypeScript", "자바스크립트": "JavaScript", "깃허브": "GitHub",
    "그래프큐엘": "GraphQL", "기본 인증": "Basic Auth", "베이직 인증": "Basic Auth",
    "지지프": "GZip", "지집": "GZip",
    # one Korean word for another
    "서브": "하위", "어플리케이션": "애플리케이션", "애플리케이션": "애플리케이션",
    "어플": "애플리케이션", "앱": "애플리케이션", "패스워드": "비밀번호", "테스팅": "테스트",
    "디버그": "디버깅", "디버거": "디버깅", "디플로이먼트": "배포", "디플로이": "배포",
    "엔드포인트": "경로 처리", "경로 작업": "경로 처리", "경로 오퍼레이션": "경로 처리",
    "경로 동작": "경로 처리", "패스 오퍼레이션": "경로 처리", "자료형": "타입",
    "유효성 검사": "검증", "유효성 검증": "검증", "밸리데이션": "검증", "운영 환경": "프로덕션",
    "디펜던시": "의존성", "갱신": "업데이트", "재정의": "오버라이드", "커스텀": "사용자 정의",
    "커스터마이징": "사용자 정의", "환경변수": "환경 변수", "가상환경": "가상 환경",
}
_PATTERN = re.compile("|".join(sorted(map(re.escape, VARIANTS), key=len, reverse=True)))


def normalize(text):
    """`text` with every variant spelling replaced by its canonical one."""
    if not text or not _PATTERN.search(text):
        return text
    return _PATTERN.sub(lambda m: VARIANTS[m.group()], text)


class KoreanTokenizer(ScriptTokenizer):
    """ScriptTokenizer over the normalized text (see VARIANTS)."""

    def pieces(self, value):
        return super().pieces(normalize(value))
