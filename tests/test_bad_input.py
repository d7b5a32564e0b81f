"""Bad input never loses a user's files, never runs as code, never gives a quiet wrong answer.

Each case calls the package function that meets the input first (config file, config values,
sample sheet, NCBI/GEO files) and asserts the message a user sees: the file, the key or line,
and what to do. Cases that must be handled correctly (not refused) assert the right result.
"""

from __future__ import annotations

import copy
import gzip
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import REPO, write_config
from painstress import InputError
from painstress.config import (
    MAX_CONFIG_BYTES,
    NA_WORDS,
    check_config_file,
    config_problems,
    validate_config,
)
from painstress.data import ncbi_files
from painstress.samples import (
    check_sample_sheet_file,
    read_sample_sheet,
    validate_sample_sheet,
)

SCHEMA = REPO / "src/painstress/schemas/config.schema.yaml"
SOURCE = "my.yaml"


@pytest.fixture
def demo() -> dict:
    """A fresh copy of config/demo.yaml, to be broken by each test."""
    return yaml.safe_load((REPO / "config" / "demo.yaml").read_text())


def config_error(config: dict) -> str:
    """The message validate_config gives for ``config``."""
    with pytest.raises(InputError) as err:
        validate_config(config, SCHEMA, source=SOURCE)
    message = str(err.value)
    assert message.startswith(f"{SOURCE}: invalid configuration:")
    assert message.endswith("See config/README.md for every key and its meaning.")
    return message


def problems_of(config: dict) -> str:
    """config_problems of a config that passed the schema and was then changed in code."""
    return "\n".join(config_problems(config))


def file_error(path: Path) -> str:
    """The message check_config_file gives for the config file ``path``."""
    with pytest.raises(InputError) as err:
        check_config_file(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ")
    return message


def write(path: Path, text: str, *, encoding: str = "utf-8", gz: bool = False) -> Path:
    data = text.encode(encoding)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def raises(function, path: Path, *parts: str) -> str:
    """``function(path)`` raises InputError whose message names ``path`` and every part."""
    with pytest.raises(InputError) as err:
        function(path)
    message = str(err.value)
    for part in (str(path), *parts):
        assert part in message, f"{part!r} not in:\n{message}"
    return message


# ---------------------------------------------- 1. names that become folders and file names

UNSAFE = ["..", ".", "../elsewhere", "a/b", ".hidden", "a..b"]


@pytest.mark.parametrize("name", UNSAFE)
def test_study_name_must_stay_inside_its_folder(demo, name):
    """'..' as study name made a run write into the project root; now refused by the schema
    with the key, the rule and an example."""
    demo["study"]["name"] = name
    message = config_error(demo)
    assert f"key 'study.name' = {name!r}: the study name is a folder under results/" in message
    assert "not starting with '.' and without '..'" in message
    assert "(e.g. descalzi2017)" in message


@pytest.mark.parametrize("name", ["descalzi2017", "my-study.v2", "_x"])
def test_ordinary_study_names_are_accepted(demo, name):
    demo["study"]["name"] = name
    assert validate_config(demo, SCHEMA)["study"]["name"] == name


@pytest.mark.parametrize("name", UNSAFE)
def test_config_problems_checks_study_name_too(demo, name):
    """Configs built in code skip the schema: config_problems refuses the same names."""
    config = validate_config(demo, SCHEMA)
    config["study"]["name"] = name
    assert (f"study.name = {name!r}: this name becomes a folder or file name and must stay "
            "inside its folder: no '/', no '..', not starting with '.'") in problems_of(config)


def rename_dataset(config: dict, old: str, new: str) -> None:
    config["datasets"] = {new if k == old else k: v for k, v in config["datasets"].items()}


@pytest.mark.parametrize("key, expected_schema, expected_problem", [
    ("dataset", "under 'datasets': the name '../pain' is not allowed",
     "datasets: dataset name '../pain': this name becomes a folder or file name"),
    ("contrast", "key 'contrasts.0.name' = '../pain': a contrast name becomes file names",
     "contrasts[0].name = '../pain': this name becomes a folder or file name"),
    ("signature", "key 'signatures.sets.0.name' = '../pain': a signature name becomes file",
     "signatures.sets[0].name = '../pain': this name becomes a folder or file name"),
    ("region", "under 'samples.factors.region': the name '../pain' is not allowed",
     "samples.factors.region: level '../pain': this name becomes a folder or file name"),
    ("group", "under 'samples.factors.group': the name '../pain' is not allowed",
     "samples.factors.group: level '../pain': this name becomes a folder or file name"),
    ("factor", "under 'samples.factors': the name '../pain' is not allowed",
     "samples.factors: factor name '../pain': this name becomes a folder or file name"),
    ("dataset_level", "under 'datasets.pain.factors.region': the name '../pain' is not allowed",
     "datasets.pain.factors.region: level '../pain': this name becomes a folder or file"),
])
def test_names_in_paths_must_stay_inside_their_folder(demo, key, expected_schema,
                                                       expected_problem):
    """Every config name that ends up in a path: refused by the schema (the message a user
    sees) and by config_problems (configs built in code)."""
    bad = "../pain"
    demo["signatures"] = {"sets": [{"name": "stress_set", "contrast": "CUS_vs_control"}]}
    config = validate_config(demo, SCHEMA)

    def breaks(target):
        factors = target.setdefault("samples", {}).setdefault(
            "factors", copy.deepcopy(config["samples"]["factors"]))
        if key == "dataset":
            rename_dataset(target, "pain", bad)
        elif key == "contrast":
            target["contrasts"][0]["name"] = bad
        elif key == "signature":
            target["signatures"]["sets"][0]["name"] = bad
        elif key in ("region", "group"):
            factors[key][bad] = "x"
        elif key == "factor":
            factors[bad] = {"a": "a"}
        else:
            target["datasets"]["pain"]["factors"] = {"region": {bad: "x"}}

    breaks(demo)
    assert expected_schema in config_error(demo)
    breaks(config)
    assert expected_problem in problems_of(config)


def test_geneset_url_must_end_in_a_file_name(demo):
    """A download is saved under resources/<study>/genesets/ by the last part of its URL:
    an address ending in '/..' or '/' would leave that folder or name the folder itself."""
    demo["genesets"] = {"mp_obo": "https://example.org/obo/..", "go_obo": "https://example.org/"}
    message = config_error(demo)
    assert ("genesets.mp_obo = 'https://example.org/obo/..': the download is saved under "
            "resources/<study>/genesets/ as the last part of its address ('..')") in message
    assert "genesets.go_obo = 'https://example.org/': " in message
    assert "give the address of the file itself" in message


# ---------------------------------------------- names that read back as missing, or not as text


@pytest.mark.parametrize("word", sorted(w for w in NA_WORDS if w.isidentifier()))
def test_level_read_back_as_missing_is_refused(demo, word):
    """A group level 'NA' (or null, nan, None…) passes the name pattern, but pandas reads it
    back from results/<study>/samples.tsv as a missing value: refused, naming key and level."""
    demo["samples"] = {"factors": {"region": {"NAc": "NAc"},
                                   "group": {word: "sham", "SNI": "SNI", "CUS": "CUS",
                                             "control": "control"}}}
    demo["contrasts"][0]["reference"] = word
    assert (f"samples.factors.group: level {word!r}: table readers read {word!r} back as a "
            "missing value") in config_error(demo)


def test_na_words_cover_what_pandas_reads_as_missing():
    """Our list is pandas' own: a pandas upgrade that reads more words as missing fails here."""
    from pandas._libs.parsers import STR_NA_VALUES

    assert set(STR_NA_VALUES) <= NA_WORDS


@pytest.mark.parametrize("key, expected", [
    ("dataset", "datasets: dataset name 'NA': table readers read 'NA' back as a missing value"),
    ("contrast", "contrasts[0].name = 'null': table readers read 'null' back"),
])
def test_dataset_and_contrast_named_like_missing_are_refused(demo, key, expected):
    if key == "dataset":
        rename_dataset(demo, "pain", "NA")
        demo["source"] = "geo"
    else:
        demo["contrasts"][0]["name"] = "null"
        demo["overlap"]["pain"] = "null"
    assert expected in config_error(demo)


@pytest.mark.parametrize("yaml_key", ["yes", "no", "on", "off", "true", "null", "~"])
def test_unquoted_yaml_word_as_level_name(demo, yaml_key):
    """YAML turns an unquoted level 'no' (or on, null, …) into false or nothing: refused,
    saying to put it in quotes (before, it passed the schema and crashed a join)."""
    text = ("samples:\n  factors:\n    region: {NAc: NAc}\n"
            f"    group: {{{yaml_key}: sham, SNI: SNI, CUS: CUS, control: control}}\n")
    demo["samples"] = yaml.safe_load(text)["samples"]
    message = config_error(demo)
    assert "under 'samples.factors.group': the name" in message
    assert "is not text (YAML reads unquoted yes/no/on/off/true/false as true/false and " \
           "null/~ as nothing; put it in quotes" in message


def test_unquoted_yaml_word_as_value(demo):
    demo["contrasts"][0]["test"] = yaml.safe_load("test: yes")["test"]
    assert ("key 'contrasts.0.test': True is not of type 'string' (YAML reads unquoted "
            "yes/no/on/off/true/false as true/false") in config_error(demo)


def test_number_without_a_dot_read_as_text(demo):
    """YAML 1.1 reads 5e-8 as text; the message says how to write the number."""
    demo["pathways"] = yaml.safe_load("pathways: {padj: 5e-8}")["pathways"]
    assert ("key 'pathways.padj': '5e-8' is not of type 'number' (YAML 1.1 reads a number "
            "like 5e-8 without a '.' as text; write 5.0e-8)") in config_error(demo)


def test_unquoted_date_read_as_a_date(demo):
    demo["study"]["title"] = yaml.safe_load("title: 2017-03-21")["title"]
    assert ("key 'study.title': datetime.date(2017, 3, 21) is not of type 'string' (YAML "
            "reads an unquoted date as a date; put it in quotes)") in config_error(demo)


# ---------------------------------------------- 2. a named sample sheet must exist


def test_named_sample_sheet_that_does_not_exist(demo, tmp_path, monkeypatch):
    """A sheet named in the config but missing was silently ignored (inference ran instead)."""
    monkeypatch.chdir(tmp_path)
    demo["samples"] = {"sheet": "config/my_samples.tsv"}
    message = config_error(demo)
    assert (f"samples.sheet: config/my_samples.tsv does not exist (looked for from {tmp_path}). "
            "Write your sample sheet there, or leave samples.sheet out") in message
    demo["samples"] = {"sheet": ""}
    assert "key 'samples.sheet': '' should be non-empty" in config_error(demo)


def test_named_sample_sheet_that_exists_and_default(demo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert validate_config(demo, SCHEMA)["samples"]["sheet"] is None  # default: infer
    (tmp_path / "samples.tsv").write_text("sample\tregion\tgroup\n")
    demo["samples"] = {"sheet": "samples.tsv"}
    assert validate_config(demo, SCHEMA)["samples"]["sheet"] == "samples.tsv"


# ---------------------------------------------- 3. the config file itself


def test_duplicated_key_names_key_and_both_lines(tmp_path):
    path = write(tmp_path / "c.yaml", "study:\n  name: first\n  title: t\n  name: second\n")
    message = file_error(path)
    assert ("line 4: key 'study.name' is given twice (lines 2 and 4); YAML would keep the "
            "value of line 4 and drop the other without a word. Keep one") in message


def test_duplicated_key_spelt_differently(tmp_path):
    """'1' and 'true' are different text but the same YAML key (1 == True)."""
    path = write(tmp_path / "c.yaml", "de:\n  1: a\n  true: b\n")
    assert ("line 3: key 'de.true' is given twice (lines 2 and 3; YAML reads '1' and 'true' "
            "as the same key)") in file_error(path)


def test_duplicated_key_in_a_list_item(tmp_path):
    path = write(tmp_path / "c.yaml", "contrasts:\n  - name: a\n    test: SNI\n    name: b\n")
    assert "line 4: key 'contrasts[0].name' is given twice (lines 2 and 4)" in file_error(path)


def test_duplicated_key_in_json_config(tmp_path):
    """Snakemake reads a JSON config with json.load, which keeps the last value too."""
    path = write(tmp_path / "c.json", '{"study": {"name": "a"},\n "study": {"name": "b"}}\n')
    assert ("key 'study' is given twice in one object (lines 1 and 2); only the last value "
            "would be kept") in file_error(path)


@pytest.mark.parametrize("value, tag", [
    ("!!python/object/apply:os.system ['touch pwned']", "!!python/object/apply:os.system"),
    ("!!python/name:os.system", "!!python/name:os.system"),
    ("!!python/tuple [1, 2]", "!!python/tuple"),
    ("!custom x", "!custom"),
    ("!!binary aGk=", "!!binary"),
])
def test_yaml_tag_is_refused_with_its_line(tmp_path, value, tag):
    path = write(tmp_path / "c.yaml", f"study:\n  name: x\n  title: {value}\n")
    message = file_error(path)
    assert f"line 3: tag {tag}: config values are plain text, numbers, true/false" in message
    assert "remove the tag" in message
    assert not (tmp_path / "pwned").exists()


def test_plain_tags_are_accepted(tmp_path):
    path = write(tmp_path / "c.yaml", "study: {name: !!str 2017, pmid: !!int '28325815'}\n")
    check_config_file(path)


def billion_laughs(levels: int = 9, kind: str = "dict") -> str:
    """Nested aliases: a few hundred bytes that expand to 10**levels values."""
    if kind == "list":
        lines = ['b0: &b0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        lines += [f"b{i}: &b{i} [" + ", ".join([f"*b{i - 1}"] * 10) + "]"
                  for i in range(1, levels)]
    else:
        lines = ["b0: &b0 {" + ", ".join(f"k{j}: lol" for j in range(10)) + "}"]
        lines += [f"b{i}: &b{i} {{" + ", ".join(f"k{j}: *b{i - 1}" for j in range(10)) + "}"
                  for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("kind", ["dict", "list"])
def test_alias_bomb_is_refused_quickly(tmp_path, kind):
    path = write(tmp_path / "bomb.yaml", "study: {name: x}\n" + billion_laughs(9, kind))
    start = time.monotonic()
    message = file_error(path)
    assert time.monotonic() - start < 2
    assert "  - line 2: anchor &b0\n  - line 3: anchor &b1\n  - line 3: alias *b0\n" in message
    assert "(reading stopped here)" in message  # bounded: not every alias is listed
    assert ("anchors (&name) and aliases (*name) are not allowed in config files (nested "
            "aliases make a few lines expand into billions of values): write each value out "
            "where it is used") in message


def test_single_anchor_and_alias_are_refused(tmp_path):
    path = write(tmp_path / "c.yaml", "overlap:\n  pain: &p SNI_vs_sham\n  stress: *p\n")
    message = file_error(path)
    assert "line 2: anchor &p\n" in message and "line 3: alias *p\n" in message
    assert "anchors (&name) and aliases (*name) are not allowed" in message


def test_yte_templating_is_refused(tmp_path):
    """Snakemake evaluates '?' values as Python when the file sets __use_yte__."""
    path = write(tmp_path / "c.yaml", "__use_yte__: true\nstudy:\n  name: ?'x' * 3\n")
    assert ("line 1: '__use_yte__' turns on YTE templating, which runs the file's '?' "
            "expressions as Python code") in file_error(path)


@pytest.mark.parametrize("text, expected", [
    ("study:\n\tname: x\n", "line 2, column 1: not valid YAML (found character '\\t' that "
                            "cannot start any token). Indent with spaces, not tabs"),
    ("study: {name: x}\n---\nsource: geo\n", "line 2: a second YAML document ('---')"),
    ("- study\n- source\n", "line 1: the top level must be a mapping of keys"),
    ("", "the file is empty; a config file needs at least study, source"),
    ("a: " + "[" * 60 + "]" * 60 + "\n", "line 1: lists and mappings nested more than 40 deep"),
    ("? [a, b]\n: 1\n", "line 1: under '(top level)': a key must be a plain name"),
    ("base: {a: 1}\nde:\n  <<: {b: 2}\n", "line 3: under 'de': a key must be a plain name"),
])
def test_config_file_shape_problems(tmp_path, text, expected):
    assert expected in file_error(write(tmp_path / "c.yaml", text))


def test_config_file_missing_not_utf8_or_huge(tmp_path):
    assert "config file not found" in file_error(tmp_path / "nowhere.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("study: {title: caf\u00e9}\n".encode("latin-1"))
    assert "is not UTF-8 text" in file_error(latin) and "save it as UTF-8" in file_error(latin)
    huge = write(tmp_path / "huge.yaml", "# padding\n" * (MAX_CONFIG_BYTES // 10 + 1))
    assert "a config file is a few kilobytes" in file_error(huge)


def test_shipped_configs_pass_the_file_check():
    for name in ("config.yaml", "demo.yaml"):
        check_config_file(REPO / "config" / name)


def test_config_file_with_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + (REPO / "config" / "demo.yaml").read_bytes())
    check_config_file(path)


def test_command_line_check_names_the_line(tmp_path):
    """`python -m painstress.config FILE`: what to run when Snakemake itself stops on a file."""
    path = write(tmp_path / "c.yaml", "study: {name: a}\nstudy: {name: b}\n")
    done = subprocess.run([sys.executable, "-m", "painstress.config", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"{path}: cannot be used as a config file" in done.stderr
    assert "line 2: key 'study' is given twice (lines 1 and 2)" in done.stderr


@pytest.mark.parametrize("kind", ["bomb", "yte"])
def test_snakefile_checks_default_config_before_snakemake_loads_it(tmp_path, kind):
    """config/config.yaml (no --configfile) is checked before Snakemake loads it. Snakemake's
    own loading copies every nested mapping (snakemake.utils.update_config), so a mapping bomb
    would run for ever, and it evaluates YTE '?' expressions as Python: neither happens."""
    text = write_config(tmp_path).read_text()
    pwned = tmp_path / "PWNED"
    if kind == "bomb":
        text += billion_laughs(9, "dict")
        expected = "alias *b0"
    else:
        text = f"__use_yte__: true\n{text}pwned: ?open({str(pwned)!r}, 'w').write('x')\n"
        expected = "line 1: '__use_yte__' turns on YTE templating"
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.yaml").write_text(text)
    done = subprocess.run([sys.executable, "-m", "snakemake", "--snakefile",
                           str(REPO / "Snakefile"), "--directory", str(tmp_path), "--dry-run",
                           "--cores", "1"], capture_output=True, text=True, timeout=60)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "config/config.yaml: cannot be used as a config file" in output, output[-3000:]
    assert expected in output
    assert not pwned.exists()


# ---------------------------------------------- 4. pain and stress contrasts


def test_overlap_contrasts_must_differ(demo):
    demo["overlap"]["stress"] = demo["overlap"]["pain"]
    assert ("overlap.pain and overlap.stress are the same contrast ('SNI_vs_sham'): the "
            "overlap compares two different contrasts") in config_error(demo)


def test_overlap_contrasts_must_share_a_region(demo):
    demo["contrasts"][0]["regions"] = ["PAG"]
    demo["contrasts"][1]["regions"] = ["NAc", "mPFC"]
    assert ("overlap: contrasts 'SNI_vs_sham' (regions PAG) and 'CUS_vs_control' (regions NAc, "
            "mPFC) share no region to compare in") in config_error(demo)


def test_overlap_contrast_must_exist(demo):
    demo["overlap"]["stress"] = "CUS_vs_ctrl"
    assert ("overlap.stress = 'CUS_vs_ctrl' names no contrast (SNI_vs_sham, CUS_vs_control)"
            in config_error(demo))


# ---------------------------------------------- 5. counts beyond int64, and other counts files


COUNTS_HEADER = "GeneID\tGSM1\tGSM2\n"


@pytest.mark.parametrize("value", ["9223372036854775808", "99999999999999999999", "1e30",
                                   "18446744073709551616"])
def test_count_too_large_for_int64(tmp_path, value):
    """Such a value used to wrap around to a negative number, then be blamed as negative."""
    path = write(tmp_path / "c.tsv", COUNTS_HEADER + "11\t5\t7\n12\t3\t" + value + "\n")
    raises(ncbi_files.read_ncbi_counts, path,
           f"line 3, column GSM2: {value!r} (GeneID 12) is larger than any count a 64-bit "
           "integer holds (9223372036854775807)", "delete it and fetch it again")


def test_largest_int64_count_is_read_exactly(tmp_path):
    """Counts beyond 2**53 are read as written, not through a float."""
    big = "9223372036854775807"
    path = write(tmp_path / "c.tsv", COUNTS_HEADER + f"11\t{big}\t9007199254740993\n")
    counts = ncbi_files.read_ncbi_counts(path)
    assert counts.loc[11, "GSM1"] == np.iinfo(np.int64).max
    assert counts.loc[11, "GSM2"] == 9007199254740993
    assert (counts.dtypes == np.int64).all()


@pytest.mark.parametrize("text, parts", [
    ("", ["is empty (no header line)", "fetch it again"]),
    ("\n\n", ["is empty (no header line)"]),
    (COUNTS_HEADER, ["has a header but no gene rows"]),
    (COUNTS_HEADER + "11\t5\t7\n12\t3\t4\n11\t9\t9\n",
     ["GeneID 11 appears more than once (lines 2, 4); each gene must have one row"]),
    ("GeneID\tGSM1\tGSM2\tGSM1\n11\t5\t7\t5\n", ["duplicated sample columns: GSM1"]),
    (COUNTS_HEADER + "11\t5\t7\t8\n", ["line 2 has 4 tab-separated fields, the header "
                                       "(line 1) has 3", "fetch it again"]),
    (COUNTS_HEADER + "11\t5\n", ["line 2 has 2 tab-separated fields"]),
    ("GeneID GSM1 GSM2\n11 5 7\n", ["line 1 should start with 'GeneID'", "found 'GeneID GSM1 "
                                    "GSM2' (columns must be separated by tabs, not spaces)"]),
    (COUNTS_HEADER + "99999999999999999999\t5\t7\n",
     ["line 2: GeneID '99999999999999999999' is not an NCBI Entrez GeneID"]),
    (COUNTS_HEADER + '11\t"5\t7\n12\t3\t4\n', ["line 2, column GSM1: '\"5' is not a raw count"]),
])
def test_counts_file_problems(tmp_path, text, parts):
    raises(ncbi_files.read_ncbi_counts, write(tmp_path / "c.tsv", text), *parts)


@pytest.mark.parametrize("value", ["1_000", "١٢", "1e3x"])
def test_counts_python_would_read_as_numbers_are_refused(tmp_path, value):
    """Plain-digit tables are read in one step; a cell Python's int() or float() would take
    (digit separators, other scripts' digits) is still judged cell by cell."""
    path = write(tmp_path / "c.tsv", COUNTS_HEADER + f"11\t5\t7\n12\t3\t{value}\n")
    raises(ncbi_files.read_ncbi_counts, path, f"line 3, column GSM2: {value!r} is not a raw "
           "count")


def test_plain_and_written_out_counts_read_alike(tmp_path):
    """The one-step read of plain digits and the cell-by-cell one give the same table."""
    rng = np.random.default_rng(1)
    values = rng.negative_binomial(2, 0.01, size=(50, 3))
    values[0, 0] = 2**53 + 1  # beyond a float's exact integers
    rows = "".join(f"{gene}\t" + "\t".join(map(str, row)) + "\n"
                   for gene, row in zip(range(11, 61), values))
    plain = ncbi_files.read_ncbi_counts(write(tmp_path / "a.tsv", "GeneID\tA\tB\tC\n" + rows))
    written = ncbi_files.read_ncbi_counts(  # one "+7" sends it cell by cell
        write(tmp_path / "b.tsv", "GeneID\tA\tB\tC\n" + rows + "61\t+7\t0\t0\n"))
    pd.testing.assert_frame_equal(plain, written.iloc[:-1])
    assert plain.iat[0, 0] == 2**53 + 1 and (plain.dtypes == np.int64).all()


def test_counts_line_numbers_count_blank_lines(tmp_path):
    """A blank line in the file must not shift the line a message points at."""
    path = write(tmp_path / "c.tsv", COUNTS_HEADER + "11\t5\t7\n\n12\t3\t-4\n")
    raises(ncbi_files.read_ncbi_counts, path, "line 4, column GSM2: '-4'")


def test_counts_with_byte_order_mark_and_crlf(tmp_path):
    path = write(tmp_path / "c.tsv", "\ufeff" + (COUNTS_HEADER + "11\t5\t7\n").replace(
        "\n", "\r\n"), gz=True)
    counts = ncbi_files.read_ncbi_counts(path)
    assert list(counts.columns) == ["GSM1", "GSM2"] and counts.loc[11, "GSM2"] == 7


# ---------------------------------------------- annotation: symbols stay as written


ANNOT = "GeneID\tSymbol\tDescription\n"


def test_annotation_keeps_na_like_symbols_and_quotes(tmp_path):
    """Gene symbols 'NA', 'nan', 'null' stay symbols; a stray quote does not swallow lines."""
    path = write(tmp_path / "a.tsv", "\ufeff" + ANNOT + '1\tNA\t"quoted\n2\tnan\tx\n3\tnull\t\n'
                 "4\tNone\tn/a\n")
    annotation = ncbi_files.read_annotation(path)
    assert annotation["Symbol"].to_dict() == {1: "NA", 2: "nan", 3: "null", 4: "None"}
    assert annotation.loc[1, "Description"] == '"quoted'
    assert annotation.loc[4, "Description"] == "n/a"


@pytest.mark.parametrize("text, part", [
    (ANNOT + "12.5\tA\tx\n", "line 2: GeneID '12.5' is not an NCBI Entrez GeneID"),
    (ANNOT + "1e3\tA\tx\n", "line 2: GeneID '1e3' is not an NCBI Entrez GeneID"),
    (ANNOT, "has a header but no gene rows"),
    (ANNOT + "1\tA\tx\textra\n", "line 2 has 4 tab-separated fields, the header (line 1) has 3"),
    (ANNOT + "1\tA\tx\n1\tB\ty\n", "GeneID 1 appears more than once (lines 2, 3)"),
])
def test_annotation_problems(tmp_path, text, part):
    """'12.5' used to be truncated to GeneID 12 without a word."""
    raises(ncbi_files.read_annotation, write(tmp_path / "a.tsv", text), part)


# ---------------------------------------------- series matrix


def series_matrix(accessions: str, table: str, characteristics: str = '"tissue: NAc"\t"NA"'):
    return ('!Series_geo_accession\t"GSE1"\n'
            '!Sample_title\t"a"\t"b"\n'
            f"!Sample_geo_accession\t{accessions}\n"
            f"!Sample_characteristics_ch1\t{characteristics}\n"
            f'!series_matrix_table_begin\n"ID_REF"\t{table}\n!series_matrix_table_end\n')


@pytest.mark.parametrize("accessions, table, part", [
    ('"GSM1"\t"GSM2"', '"GSM1"\t"GSM2"\t"GSM3"',
     "line 6: the data table's header lists GSM3, not on the '!Sample_geo_accession' line"),
    ('"GSM1"\t"GSM2"', '"GSM1"', "line 6: the data table's header lacks GSM2"),
    ('"GSM1"\t"GSM1"', '"GSM1"\t"GSM1"', "'!Sample_geo_accession' lists GSM1 more than once"),
    ('"GSM1"\t"sample 2"', '"GSM1"\t"sample 2"',
     "'!Sample_geo_accession' holds 'sample 2', not a GSM accession"),
])
def test_series_matrix_sample_lists_disagree(tmp_path, accessions, table, part):
    path = write(tmp_path / "GSE1_series_matrix.txt.gz", series_matrix(accessions, table),
                 gz=True)
    raises(ncbi_files.read_series_matrix, path, part, "delete it and fetch it again")


def test_series_matrix_keeps_na_characteristics_and_bom(tmp_path):
    """A characteristic 'NA' stays text; a byte-order mark does not hide the first line."""
    text = "\ufeff" + series_matrix('"GSM1"\t"GSM2"', '"GSM1"\t"GSM2"',
                                    '"genotype: NA"\t"NA"')
    matrix = ncbi_files.read_series_matrix(write(tmp_path / "m.txt", text))
    assert matrix.samples.loc["GSM1", "char_genotype"] == "NA"
    assert matrix.samples.loc["GSM2", "characteristics_ch1"] == "NA"
    assert matrix.accession == "GSE1"


# ---------------------------------------------- 6. the sample sheet


SHEET = "sample\tdataset\tregion\tgroup\nGSM1\tpain\tNAc\tSNI\nGSM2\tpain\tNAc\tsham\n"


def test_sheet_with_byte_order_mark_is_read(tmp_path):
    """Spreadsheets write a UTF-8 BOM; it used to turn 'sample' into a missing column."""
    sheet = read_sample_sheet(write(tmp_path / "s.tsv", "\ufeff" + SHEET))
    assert list(sheet.columns) == ["sample", "dataset", "region", "group"]
    assert sheet["sample"].tolist() == ["GSM1", "GSM2"]


def test_sheet_with_crlf_line_ends_is_read(tmp_path):
    sheet = read_sample_sheet(write(tmp_path / "s.tsv", SHEET.replace("\n", "\r\n")))
    assert sheet["group"].tolist() == ["SNI", "sham"]


def test_sheet_separated_by_spaces(tmp_path):
    path = write(tmp_path / "s.tsv", "# my sheet\n" + SHEET.replace("\t", "  "))
    raises(read_sample_sheet, path, "line 2: the header 'sample  dataset  region  group' has a "
           "single column (values are separated by spaces, not tabs?)",
           "Columns must be separated by tabs")


def test_sheet_row_separated_by_spaces(tmp_path):
    path = write(tmp_path / "s.tsv", SHEET + "GSM3 pain NAc SNI\n")
    raises(read_sample_sheet, path, "line 4 has 1 tab-separated fields, the header has 4 "
           "(values are separated by spaces, not tabs?)", "Columns must be separated by tabs")


def test_sheet_separated_by_commas(tmp_path):
    path = write(tmp_path / "s.csv", SHEET.replace("\t", ","))
    raises(read_sample_sheet, path, "line 1: the header", "(values are separated by commas or "
           "semicolons: a CSV file?)", "Columns must be separated by tabs")


def test_sheet_in_utf16(tmp_path):
    path = write(tmp_path / "s.tsv", "\ufeff" + SHEET, encoding="utf-16-le")
    raises(read_sample_sheet, path, "is not UTF-8 text (UTF-16, as spreadsheets save 'Unicode "
           "text')", "Save it as tab-separated UTF-8 text")


@pytest.mark.parametrize("text, part", [
    ("sample\tregion\tgroup\tgroup\nGSM1\tNAc\tSNI\tsham\n",
     "line 1: column(s) 'group' appear more than once in the header; keep one of each"),
    ("# comment\nsample\tregion\tgroup\n", "has a header (line 2) but no sample lines"),
])
def test_sheet_shape_problems(tmp_path, text, part):
    raises(read_sample_sheet, write(tmp_path / "s.tsv", text), part)


FACTORS = {"region": {"NAc": "x"}, "group": {"SNI": "x", "sham": "x"}}


def test_sheet_level_na_is_a_value_not_missing(tmp_path):
    """'NA' in a sheet stays the text 'NA': refused as an unknown level, naming the line."""
    path = write(tmp_path / "s.tsv", SHEET.replace("sham\n", "NA\n"))
    sheet = read_sample_sheet(path)
    assert sheet["group"].tolist() == ["SNI", "NA"]
    with pytest.raises(InputError) as err:
        validate_sample_sheet(sheet, source=str(path), factors=FACTORS, contrasts=[],
                              dataset_samples={"pain": ["GSM1", "GSM2"]})
    assert (f"{path}: line 3: sample GSM2 has group 'NA', which is not one of the configured "
            "levels (SNI, sham)") in str(err.value)


def test_sheet_title_na_and_null_stay_text(tmp_path):
    path = write(tmp_path / "s.tsv", "sample\tregion\tgroup\ttitle\nGSM1\tNAc\tSNI\tNA\n"
                 "GSM2\tNAc\tsham\tnull\n")
    sheet = validate_sample_sheet(read_sample_sheet(path), source=str(path), factors=FACTORS,
                                  contrasts=[], dataset_samples={"pain": ["GSM1", "GSM2"]})
    assert sheet["title"].tolist() == ["NA", "null"]


@pytest.mark.parametrize("key", ["study.title", "overlap.reported.wording",
                                 "signatures.sets.0.citation"])
def test_config_text_that_html_would_run_is_refused(key):
    """Free text reaches the report (captions, the parameters it lists inside a <script>):
    '</script><script>…' in any value is refused at validation, naming the key."""
    config = yaml.safe_load((REPO / "config" / "demo.yaml").read_text())
    target = config
    *parents, last = [int(k) if k.isdigit() else k for k in key.split(".")]
    for part in parents:
        target = target[part]
    target[last] = "fine </script><script>alert(1)</script>"
    with pytest.raises(InputError) as error:
        validate_config(config, REPO / "src/painstress/schemas/config.schema.yaml")
    message = str(error.value)
    assert f"key '{key}': holds '</'" in message and "remove it" in message


# ---------------------------------------------- a user's sheet checked line by line, early

DEMO_SHEET = ("sample\tdataset\tregion\tgroup\n"
              "GSM1\tpain\tNAc\tSNI\nGSM2\tpain\tNAc\tsham\nGSM3\tstress\tNAc\tCUS\n")


def early_error(path: Path, config: dict) -> str:
    """The message check_sample_sheet_file gives before any job, given the config."""
    config = validate_config(config, SCHEMA, source=SOURCE)
    with pytest.raises(InputError) as err:
        check_sample_sheet_file(path, config["samples"]["factors"], config["datasets"])
    return str(err.value)


@pytest.mark.parametrize("edit, expected", [
    (("\tNAc\tsham", "\tNAcc\tsham"), "line 3: sample GSM2 has region 'NAcc', which is not one "
                                      "of the configured levels (NAc, mPFC, PAG)"),
    (("GSM2", "GSM1"), "sample GSM1 is listed more than once (line 3)"),
    (("\tSNI\n", "\tSNi\n"), "line 2: sample GSM1 has group 'SNi', which is not one of the "
                            "configured levels (SNI, sham, CUS, control)"),
])
def test_sheet_line_errors_are_found_before_any_job(tmp_path, demo, edit, expected):
    """What a sheet's lines show without the counts is refused before any job starts (so
    before Snakemake would clear the last good samples.tsv), naming the file and line."""
    good = write(tmp_path / "s.tsv", DEMO_SHEET)
    config = validate_config(demo, SCHEMA, source=SOURCE)
    check_sample_sheet_file(good, config["samples"]["factors"], config["datasets"])
    bad = write(tmp_path / "bad.tsv", DEMO_SHEET.replace(*edit))
    assert early_error(bad, demo).startswith(f"{bad}: ")
    assert expected in early_error(bad, demo)


def test_sheet_per_dataset_levels_and_unknown_dataset_before_any_job(tmp_path, demo):
    """A dataset with levels of its own: a sheet's dataset column picks the levels checked,
    and a dataset the config does not have is refused."""
    demo["datasets"]["stress"]["factors"] = {"group": {"CUS": "CUS", "control": "control"},
                                             "sex": {"male": "male"}}
    sheet = ("sample\tdataset\tregion\tgroup\tsex\n"
             "GSM1\tpain\tNAc\tSNI\t\nGSM2\tpain\tNAc\tsham\t\nGSM3\tstress\tNAc\tCUS\tmale\n")
    path = write(tmp_path / "s.tsv", sheet)
    config = validate_config(demo, SCHEMA, source=SOURCE)
    check_sample_sheet_file(path, config["samples"]["factors"], config["datasets"])
    assert ("line 2: sample GSM1 of dataset pain has sex 'male', but that dataset has no "
            "factor sex") in early_error(write(tmp_path / "a.tsv", sheet.replace(
                "SNI\t", "SNI\tmale")), demo)
    assert ("line 4: sample GSM3 has dataset 'stres', which is not a dataset of the config "
            "(pain, stress)") in early_error(write(tmp_path / "b.tsv", sheet.replace(
                "stress\t", "stres\t")), demo)


@pytest.fixture(scope="module")
def good_sheet_run(ci_run, tmp_path_factory) -> Path:
    """The finished CI demo (a copy of conftest.ci_run), run again up to the sample sheet
    with its sheet given as the user's (my_samples.tsv): the last good samples.tsv and
    genes.tsv of a user's sheet."""
    from conftest import STUDY, copy_run, snakemake

    workdir = copy_run(ci_run[0], tmp_path_factory.mktemp("sheet"))
    results = workdir / "results" / STUDY
    (workdir / "my_samples.tsv").write_bytes((results / "samples.tsv").read_bytes())
    configfile = write_config(workdir, **{"samples.sheet": "my_samples.tsv"})
    done = snakemake(workdir, configfile, "--until", "sample_sheet", timeout=300)
    assert done.returncode == 0, done.output[-3000:]
    assert (results / "checks" / "sample_sheet.ok").read_text().startswith(
        "my_samples.tsv: 66 samples, checked against the counts of pain, stress")
    return workdir


@pytest.mark.workflow
@pytest.mark.xdist_group("good_sheet_run")  # one worker: good_sheet_run made once
@pytest.mark.parametrize("edit, expected, before_jobs", [
    (("\tNAc\tsham", "\tNAcc\tsham"), "line 2: sample GSM0000001 has region 'NAcc'", True),
    (("GSM0000002\t", "GSM0000001\t"), "sample GSM0000001 is listed more than once (line 3)",
     True),
    (("GSM0000002\t", "GSM9999999\t"), "line 3: sample GSM9999999 is in no counts table", False),
], ids=["unknown-region", "duplicate-sample", "not-in-counts"])
def test_broken_user_sheet_keeps_the_last_good_samples_and_genes(good_sheet_run, tmp_path,
                                                                 edit, expected, before_jobs):
    """A user's sheet that worked, then broken on one line: the rerun stops with the file
    and line, before any job when the lines show it, else in rule check_sample_sheet
    (the counts are needed); rule sample_sheet never starts, so Snakemake never clears
    the last good samples.tsv and genes.tsv."""
    import shutil

    from conftest import STUDY, snakemake

    shutil.copytree(good_sheet_run, tmp_path, symlinks=True, dirs_exist_ok=True)
    results = tmp_path / "results" / STUDY
    kept = {name: (results / name).read_bytes() for name in ("samples.tsv", "genes.tsv")}
    sheet = tmp_path / "my_samples.tsv"
    text = sheet.read_text()
    assert edit[0] in text
    sheet.write_text(text.replace(edit[0], edit[1], 1))
    done = snakemake(tmp_path, tmp_path / "config.yaml", "--until", "sample_sheet",
                     timeout=300)
    assert done.returncode != 0
    assert f"my_samples.tsv: {expected}" in done.output, done.output[-3000:]
    assert ("rule check_sample_sheet" in done.output) is not before_jobs, done.output[-3000:]
    assert "rule sample_sheet:" not in done.output
    assert {name: (results / name).read_bytes() for name in kept} == kept


# ---------------------------------------------------------------------------- Ctrl-C

def test_ctrl_c_while_a_job_starts_is_one_line(tmp_path):
    """A job's Python that meets Ctrl-C before painstress.jobs.run_script (in Snakemake's
    preamble or the script's imports) ends with run_script's one line, not a traceback:
    workflow/startup/sitecustomize.py, on the jobs' PYTHONPATH. Other errors keep theirs."""
    import os

    from painstress.jobs import INTERRUPTED

    script = write(tmp_path / "job.py", "import os, signal\nos.kill(os.getpid(), signal.SIGINT)\n"
                   "import time\ntime.sleep(30)\n")
    env = {**os.environ, "PYTHONPATH": str(REPO / "workflow" / "startup")}
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 130  # as run_script's sys.exit(130)
    assert done.stderr == f"ERROR {INTERRUPTED}\n"
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                           timeout=60, env={**os.environ, "PYTHONPATH": ""})
    assert "Traceback" in plain.stderr  # what a job printed before
    broken = write(tmp_path / "broken.py", "raise ValueError('a bug')\n")
    done = subprocess.run([sys.executable, str(broken)], env=env, capture_output=True,
                          text=True, timeout=60)
    assert "Traceback" in done.stderr and "ValueError: a bug" in done.stderr



def test_ctrl_c_where_python_cannot_raise_it_still_ends_the_job_in_one_line(tmp_path):
    """Ctrl-C met inside a callback Python only reports (as in the import machinery's
    module locks, or a __del__) is printed as "Exception ignored" with a traceback, and the
    job would go on; with the start-up hook it ends the job as Ctrl-C anywhere else does."""
    import os

    from painstress.jobs import INTERRUPTED

    script = write(tmp_path / "job.py", "class Lock:\n    def __del__(self):\n"
                   "        raise KeyboardInterrupt\n\nLock()\nprint('went on')\n")
    env = {**os.environ, "PYTHONPATH": str(REPO / "workflow" / "startup")}
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                          text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (130, "", f"ERROR {INTERRUPTED}\n")
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                           timeout=60, env={**os.environ, "PYTHONPATH": ""})
    assert "Exception ignored" in plain.stderr and "Traceback" in plain.stderr
    assert plain.stdout == "went on\n"  # what a job did before: it carried on

@pytest.mark.workflow
def test_ctrl_c_while_jobs_start_ends_with_one_line_and_no_traceback(ci_run, tmp_path):
    """Ctrl-C (SIGINT to the process group) just as deseq2 jobs start, still importing
    (their Python runs, none has reached run_script, which opens the job's log):
    each says it was interrupted in one line, the run ends saying how to resume, and no
    traceback is printed anywhere."""
    import os
    import signal

    from conftest import STUDY, copy_run, remove_de_fits
    from painstress.jobs import INTERRUPTED, RUN_INTERRUPTED
    from test_faults import fail_run, job_processes, past_start_up, pause_when, start

    def starting(workdir):
        """Every deseq2 job's Python is in its imports, none has opened its log (reached
        run_script): a Ctrl-C now meets each job in its imports, never in Python's own
        start-up, which no Python code can catch."""
        jobs = job_processes(workdir, "deseq2")
        logs = workdir / "results" / STUDY / "logs" / "deseq2"
        return (bool(jobs) and all(past_start_up(job) for job in jobs)
                and not (logs.is_dir() and any(logs.iterdir())))

    copy_run(ci_run[0], tmp_path)  # the finished demo, its fits to be made again
    remove_de_fits(tmp_path)
    run = start(tmp_path, tmp_path / "config.yaml", "--until", "overlap")
    pause_when(tmp_path, run, starting, "a deseq2 job in its imports")
    os.killpg(run.pid, signal.SIGINT)  # delivered when the group continues
    os.killpg(run.pid, signal.SIGCONT)
    try:
        run.wait(timeout=120)
    except subprocess.TimeoutExpired:
        fail_run(run, tmp_path, "Snakemake did not stop within 120 s of Ctrl-C")
    output = (tmp_path / "run.log").read_text()
    assert run.returncode != 0
    assert "Traceback" not in output, output[-5000:]
    assert f"ERROR {INTERRUPTED}" in output, output[-5000:]
    assert RUN_INTERRUPTED in output
