"""Whoosh segment parts read in place from the memory map behave as the copies did."""
import io
import mmap
import pickle

from whoosh.filedb import compound

from portal.search import segments
from portal.search.engine import Doc, Engine

DATA = pickle.dumps({"a": 1}) + b"first line\nsecond\n" + bytes(range(256)) * 40


def test_a_view_reads_as_bytesio_does(tmp_path):
    path = tmp_path / "data"
    path.write_bytes(DATA)
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        view = memoryview(mapped)
        ours, theirs = segments._View(view), io.BytesIO(DATA)
        assert pickle.load(ours) == pickle.load(theirs) == {"a": 1}
        assert ours.tell() == theirs.tell()
        assert ours.readline() == theirs.readline() == b"first line\n"
        for args in ((5, 0), (3, 1), (-7, 2), (100, 0)):
            assert ours.seek(*args) == theirs.seek(*args)
            assert ours.read(9) == theirs.read(9)
        ours.seek(len(DATA) - 4)
        buffer = bytearray(10)
        assert ours.readinto(buffer) == 4 and buffer[:4] == DATA[-4:]
        assert ours.read() == b"" and ours.readline() == b""
        del view, ours


def test_the_engine_reads_segments_through_views(tmp_path):
    assert compound.BufferFile is segments.ViewFile
    engine = Engine(tmp_path)
    engine.rebuild([Doc(slug=f"p{i}", lang="en", title=f"Page {i}",
                        markdown=f"# Page {i}\n\nUpload files with form data, part {i}.")
                    for i in range(30)])
    result = engine.search("en", "upload form", limit=5)
    engine.close()
    assert result.total == 30 and len(result.hits) == 5
