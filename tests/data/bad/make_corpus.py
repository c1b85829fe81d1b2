"""Writes the bad-input corpus of tests/test_bad_input.py (run from the repository root).

Each file is a small long-layout data set (8 subjects x 3 visits; columns pid, lumbar, exercise,
visit, score; the design of tests/data/shared1.yaml) with one kind of problem. The files are
committed; this script documents how each was made and remakes them byte for byte.
"""

from pathlib import Path

HERE = Path(__file__).parent
HEADER = "pid,lumbar,exercise,visit,score"
SUBJECTS = [
    ("S01", "stable", "hip"),
    ("S02", "stable", "hip"),
    ("S03", "stable", "control"),
    ("S04", "stable", "control"),
    ("S05", "unstable", "hip"),
    ("S06", "unstable", "hip"),
    ("S07", "unstable", "control"),
    ("S08", "unstable", "control"),
]
VISITS = ["t0", "t1", "t2"]


def rows() -> list[list[str]]:
    """The clean data: row i + 2 of the file (header = row 1)."""
    out = []
    for k, (pid, stratum, arm) in enumerate(SUBJECTS):
        for j, t in enumerate(VISITS):
            out.append([pid, stratum, arm, t, str(60 - 10 * j + k)])
    return out


def text(body: list[list[str]], header: str = HEADER, sep: str = ",", eol: str = "\n") -> str:
    return eol.join([header.replace(",", sep)] + [sep.join(r) for r in body]) + eol


def edit(changes: dict[tuple[int, int], str]) -> list[list[str]]:
    """The clean rows with cells replaced: {(file row, column index): text}."""
    body = rows()
    for (row, col), value in changes.items():
        body[row - 2][col] = value
    return body


FILES: dict[str, bytes] = {
    "empty.csv": b"",
    "blank_lines_only.csv": b"\n\n\r\n",
    "binary.csv": bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(range(256)),
    "header_only.csv": (HEADER + "\n").encode(),
    "bom_crlf.csv": b"\xef\xbb\xbf" + text(rows(), eol="\r\n").encode(),
    "semicolons.csv": text(rows(), sep=";").encode(),
    "latin1.csv": text(edit({(5, 0): "Sé02", (6, 0): "Sé02", (7, 0): "Sé02"})).encode("latin-1"),
    "utf16.csv": text(rows()).encode("utf-16"),
    "duplicate_exact.csv": text(rows() + [rows()[4]]).encode(),
    "duplicate_conflict.csv": text(rows() + [rows()[4][:4] + ["1"]]).encode(),
    "two_arms.csv": text(edit({(3, 2): "control"})).encode(),
    "unknown_arm.csv": text(edit({(9, 2): "placebo"})).encode(),
    "unknown_stratum.csv": text(edit({(9, 1): "severe"})).encode(),
    "unknown_visit.csv": text(edit({(4, 3): "t3"})).encode(),
    "non_numeric.csv": text(edit({(12, 4): "twelve"})).encode(),
    "decimal_comma.csv": text(edit({(12, 4): "12,5"}), sep=";").encode(),
    "out_of_range.csv": text(edit({(2, 4): "140", (13, 4): "-3"})).encode(),
    "non_integer.csv": text(edit({(6, 4): "41.5"})).encode(),
    "huge_finite.csv": text(edit({(7, 4): "99999999999"})).encode(),
    "huge_infinite.csv": text(edit({(7, 4): "1e400"})).encode(),
    "infinity.csv": text(edit({(8, 4): "inf"})).encode(),
    "missing_column.csv": text([r[:3] + r[4:] for r in rows()], header="pid,lumbar,exercise,score").encode(),
    "case_and_spaces.csv": text(edit({(2, 2): " HIP ", (3, 1): "Stable", (4, 3): "T2", (5, 0): " S02"})).encode(),
    "leading_zeros.csv": text(
        edit({(2, 0): "007", (3, 0): "007", (4, 0): "007", (5, 0): "7", (6, 0): "7", (7, 0): "7"})
    ).encode(),
    "missing_markers.csv": text(edit({(3, 4): "NA", (6, 4): ".", (9, 4): "", (12, 4): "N/A"})).encode(),
    "ragged.csv": text(edit({(10, 4): "33,extra"})).encode(),
    "duplicate_header.csv": text(rows(), header="pid,lumbar,exercise,visit,pid").encode(),
    "empty_subject.csv": text(edit({(11, 0): ""})).encode(),
    "missing_visit_row.csv": text(rows()[:-1]).encode(),
    "absent_visit.csv": text([r for r in rows() if r[3] != "t2"]).encode(),
    "empty_design_cell.csv": text(edit({(r, 2): "control" for r in range(14, 20)})).encode(),
    "blank_rows.csv": (text(rows()[:3]) + "\n,,,,\n" + text(rows()[3:], header="").lstrip("\n")).encode(),
    "spaces_in_header.csv": text(rows(), header="pid, lumbar ,exercise,visit,score ").encode(),
    "not_really.xlsx": text(rows()).encode(),
    "wrong_type.json": b'{"pid": ["S01"]}\n',
}


def wide_no_id() -> bytes:
    """One row per subject and no ID column, as R's write.csv(row.names = FALSE) gives."""
    lines = ["lumbar,exercise,score_t0,score_t1,score_t2"]
    for k, (_, stratum, arm) in enumerate(SUBJECTS):
        lines.append(",".join([stratum, arm, *(str(60 - 10 * j + k) for j in range(3))]))
    return ("\n".join(lines) + "\n").encode()


FILES["wide_without_id.csv"] = wide_no_id()

if __name__ == "__main__":
    for name, data in FILES.items():
        (HERE / name).write_bytes(data)
    print(f"{len(FILES)} files written to {HERE}")
