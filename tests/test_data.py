"""Unit tests for helpers.data: the real dataset loads, and every broken file gets a clear DataError."""

from pathlib import Path

import pytest
import torch

from helpers.data import DATA_DIR, DataError, load_features, load_xy, read_table, resolve

SEED_X = [3.3, 4.4, 5.5, 6.71, 6.93, 4.168, 9.779, 6.182, 7.59, 2.167, 7.042, 10.791, 5.313, 7.997, 5.654, 9.27, 3.1]
SEED_Y = [1.7, 2.76, 2.09, 3.19, 1.694, 1.573, 3.366, 2.596, 2.53, 1.221, 2.827, 3.465, 1.65, 2.904, 2.42, 2.94, 1.3]


def write(tmp_path: Path, text: str, name: str = "bad.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_linear_17_is_the_seed_data_as_float32():
    x, y = load_xy("linear_17.csv")
    assert x.shape == (17, 1) and y.shape == (17,)
    assert x.dtype == torch.float32 and y.dtype == torch.float32
    assert torch.equal(x[:, 0], torch.tensor(SEED_X, dtype=torch.float32))
    assert torch.equal(y, torch.tensor(SEED_Y, dtype=torch.float32))


def test_bare_name_resolves_into_data_dir_and_paths_are_kept():
    assert resolve("linear_17.csv") == DATA_DIR / "linear_17.csv"
    assert resolve(Path("some/dir/file.csv")) == Path("some/dir/file.csv")


def test_read_table_returns_header_and_rows(tmp_path):
    path = write(tmp_path, "a,b\n1,2\n\n3,4\n")
    assert read_table(path) == (["a", "b"], [[1.0, 2.0], [3.0, 4.0]])


def test_load_features_reads_d_columns_under_the_header_x1_to_xd(tmp_path):
    features, target = load_features(write(tmp_path, "x1,x2,x3,y\n1,2,3,4\n5,6,7,8\n"))
    assert features.shape == (2, 3) and target.shape == (2,)
    assert torch.equal(features[1], torch.tensor([5.0, 6.0, 7.0]))
    assert torch.equal(target, torch.tensor([4.0, 8.0]))
    path = write(tmp_path, "x1,z,y\n1,2,3\n4,5,6\n")
    with pytest.raises(DataError, match=r"line 1: wrong header 'x1,z,y'; expected 'x1,...,xd,y'"):
        load_features(path)


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("", None, "the file is empty"),
        ("\n\n", None, "the file is empty"),
        ("a,b\n1,2\n3,4\n", 1, "wrong header 'a,b'; expected 'x,y'"),
        ("y,x\n1,2\n3,4\n", 1, "wrong header 'y,x'"),
        ("3.3,1.7\n4.4,2.76\n5.5,2.09\n", 1, "the header row is missing"),
        ("x,y\n1,2\n3,abc\n", 3, "column 'y' holds 'abc', which is not a number"),
        ("x,y\n1,2\n,4\n", 3, "column 'x' holds '', which is not a number"),
        ("x,y\n1,nan\n3,4\n", 2, "every value must be a finite number"),
        ("x,y\n1,2\ninf,4\n", 3, "every value must be a finite number"),
        ("x,y\n1,2\n3,4,5\n", 3, "expected 2 fields"),
        ("x,y\n1,2\n3\n", 3, "expected 2 fields"),
        ("x,y\n1,2\n", None, "found 1 data row"),
        ("x,y\n", None, "found 0 data row"),
    ],
)
def test_each_broken_file_names_file_line_and_problem(tmp_path, text, line, problem):
    path = write(tmp_path, text)
    with pytest.raises(DataError) as caught:
        load_xy(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert problem in message
    assert caught.value.line == line
    if line is not None:
        assert f"line {line}:" in message


def test_missing_file_says_where_to_put_it(tmp_path):
    with pytest.raises(DataError, match="file not found. Put the CSV in data/"):
        load_xy(tmp_path / "nope.csv")

