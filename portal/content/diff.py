"""Line diffs between two texts, as plain rows the templates escape (never HTML)."""
import difflib
from dataclasses import dataclass

CONTEXT = 3


@dataclass
class Line:
    """One line of a unified diff: kind is 'hunk', 'add', 'del' or 'same'."""

    kind: str
    text: str
    old_no: int | None = None
    new_no: int | None = None


@dataclass
class Row:
    """One row of a side-by-side diff; a side is None where that text has no line."""

    kind: str  # 'same', 'change', 'add', 'del' or 'gap'
    old_no: int | None
    old: str | None
    new_no: int | None
    new: str | None


def unified(old, new, context=CONTEXT):
    """The unified diff of `old` → `new` as Line rows (empty when equal)."""
    a, b = old.splitlines(), new.splitlines()
    lines = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        lines.append(Line("hunk", f"@@ -{first[1] + 1},{last[2] - first[1]} "
                                  f"+{first[3] + 1},{last[4] - first[3]} @@"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [Line("same", a[i], i + 1, j1 + i - i1 + 1) for i in range(i1, i2)]
                continue
            lines += [Line("del", a[i], i + 1, None) for i in range(i1, i2)]
            lines += [Line("add", b[j], None, j + 1) for j in range(j1, j2)]
    return lines


def side_by_side(old, new, context=CONTEXT):
    """Rows pairing `old` and `new` lines; unchanged stretches beyond `context` become gaps."""
    a, b = old.splitlines(), new.splitlines()
    rows = []
    groups = difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context)
    for n, group in enumerate(groups):
        if n or group[0][1] > 0:
            rows.append(Row("gap", None, None, None, None))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [Row("same", i + 1, a[i], j1 + i - i1 + 1, a[i]) for i in range(i1, i2)]
                continue
            for k in range(max(i2 - i1, j2 - j1)):
                i, j = i1 + k, j1 + k
                left = (i + 1, a[i]) if i < i2 else (None, None)
                right = (j + 1, b[j]) if j < j2 else (None, None)
                kind = "change" if left[1] is not None and right[1] is not None else (
                    "del" if left[1] is not None else "add")
                rows.append(Row(kind, left[0], left[1], right[0], right[1]))
    return rows


def stats(lines):
    """(added, removed) line counts of a unified diff."""
    return (sum(1 for line in lines if line.kind == "add"),
            sum(1 for line in lines if line.kind == "del"))
