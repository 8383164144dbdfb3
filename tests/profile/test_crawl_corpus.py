"""Issue 18, must-show 1: the content profile of a crawl-derived corpus, end to end.

The corpus is built here: JSON Lines .gz shards (`text`, `metadata.url`, `metadata.date`), WARC files of HTML
responses (with an image among them) and WET files of conversion records, holding real prose (the sample
web-text dataset's pages: English, with German and French in a minority) and personal data planted in known
numbers (e-mail addresses, phone numbers, IP addresses, Luhn-valid card numbers and IBANs of valid checksum,
each made here, and a few invalid ones that must not count). A real `dbom scan DIR --profile exact --tokenizer
T` profiles it, and every figure is checked against what the test computes itself from the texts it wrote:
`tokenizers`' own count of the same texts, the registered domains by `tldextract`, the dates written.
"""

from __future__ import annotations

import glob
import gzip
import html
import io
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from corpora import SAMPLES, Page, warc_bytes
from helpers import run_dbom

import dbom

pytest.importorskip("pycld2", reason="the profile extra: pip install -e '.[profile]'")
pytest.importorskip("fastwarc", reason="the warc extra: pip install -e '.[warc]'")

EPOCH = {"SOURCE_DATE_EPOCH": "0"}
TODO = "[to be completed by the provider]"
# 30 registered domains under various public suffixes, some with several hosts; an IP host is its own domain
NAMES = ("river", "harbor", "meadow", "summit", "lantern", "orchard", "granite", "willow", "compass", "falcon")
SUFFIXES = ("com", "org", "co.uk")
HOSTS = (*(f"{prefix}{name}.{suffix}" for suffix in SUFFIXES for name in NAMES
           for prefix in (("www.", "blog.") if name == "river" else ("www.",))), "192.0.2.44")


@dataclass
class Record:
    """One record as written: its URL, date and the text the profile must count (None: not text)."""

    url: str
    date: str
    text: str | None


def _luhn_valid(prefix: str, length: int) -> str:
    """A card number starting with `prefix`, `length` digits, its last digit the Luhn check digit."""
    body = prefix + "7" * (length - len(prefix) - 1)
    total = 0
    for position, digit in enumerate(reversed(body)):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


def _iban(country: str, bban: str) -> str:
    """An IBAN of `country` and `bban` with its ISO 13616 check digits (98 minus the mod-97 of the rearranged)."""
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def _grouped(value: str, size: int = 4) -> str:
    return " ".join(value[i:i + size] for i in range(0, len(value), size))


# Planted personal data: (kind, sentence). The invalid ones (a broken Luhn digit, a wrong IBAN check) count 0.
CARD_VISA = _luhn_valid("4", 16)
CARD_MC = _luhn_valid("53", 16)
CARD_AMEX = _luhn_valid("37", 15)
IBAN_GB = _iban("GB", "WEST12345698765432")
IBAN_DE = _iban("DE", "370400440532013000")
PLANTED = [
    ("email", "Write to jane.doe@example.net for the recipe."),
    ("email", "Questions go to club-secretary@astro-society.org.uk before Friday."),
    ("email", "The organiser, m.keller@example.de, answers within a day."),
    ("email", "Send corrections to editor@example.com please."),
    ("phone", "Call the office on +44 20 7946 0018 in the morning."),
    ("phone", "Our line in Berlin is (030) 1234 5678 on weekdays."),
    ("phone", "Reach the shop at 555-123-4567 after noon."),
    ("ip", "The mirror answered from 192.0.2.17 all week."),
    ("ip", "Its IPv6 address is 2001:db8::8a2e:370:7334 now."),
    ("ip", "The old server at 198.51.100.23 was retired."),
    ("card", f"The test card {_grouped(CARD_VISA)} was declined."),
    ("card", f"A second card, {CARD_MC}, went through."),
    ("card", f"The amex {CARD_AMEX} expired."),
    ("iban", f"Pay to {_grouped(IBAN_GB)} by Monday."),
    ("iban", f"The club account is {IBAN_DE} at the local bank."),
    ("none", f"Not a card: {CARD_VISA[:-1]}{(int(CARD_VISA[-1]) + 1) % 10} fails its check."),
    ("none", f"Not an IBAN: GB{(int(IBAN_GB[2:4]) % 97) + 1:02d}{IBAN_GB[4:]} fails its check."),
]


def _prose() -> list[str]:
    """The sample web-text pages' texts, white space made single: English, then German and French ones."""
    import pyarrow.parquet as pq

    rows = [row for name in sorted(glob.glob(str(SAMPLES / "web-text" / "data" / "*.parquet")))
            for row in pq.read_table(name, columns=["text", "lang"]).to_pylist()]
    english = [" ".join(r["text"].split()) for r in rows if r["lang"] == "en"]
    other = [" ".join(r["text"].split()) for r in rows if r["lang"] != "en"]
    return english[:150] + other[:24]


def _plan() -> list[tuple[str, str, str]]:
    """(URL, date, prose) of each text record, in writing order: 174 pages, one language in seven not English."""
    prose = _prose()
    english, other = prose[:150], prose[150:]
    texts = []
    for index in range(174):
        texts.append(other.pop() if index % 7 == 3 and other else english.pop())
    plan = []
    for index, text in enumerate(texts):
        # skewed: the first hosts get most pages, so the ranking by bytes is not a tie
        host = HOSTS[index % len(HOSTS)] if index % 3 else HOSTS[index % 4]
        plan.append((f"https://{host}/page/{index}?ref=feed", f"20{23 + index % 2}-{1 + index % 12:02d}-"
                     f"{1 + index % 28:02d}T{index % 24:02d}:15:00Z", text))
    return plan


def _with_planted(text: str, index: int) -> str:
    """The text with the planted sentence of record `index` (every tenth record gets one) appended."""
    if index % 10 == 0 and index // 10 < len(PLANTED):
        return f"{text} {PLANTED[index // 10][1]}"
    return text


def _html(title: str, paragraphs: list[str]) -> bytes:
    """A page whose shown text is the heading and paragraphs; markup, a script and a style that must not count."""
    body = "".join(f"\n    <p class=\"x\">{html.escape(p)}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  <title>{html.escape(title)}"
            "</title>\n  <style>p { color: #333; } /* admin@example.com */</style>\n</head>\n<body>\n"
            f"  <h1>{html.escape(title)}</h1>{body}\n  <!-- served by 10.0.0.1 -->\n"
            "  <script>var contact = \"webmaster@example.com\"; var host = \"10.0.0.2\";</script>\n"
            "</body>\n</html>\n").encode()


def _write_warc(path: Path, pages: list[tuple[str, str, bytes, str]], kind: str) -> None:
    """A per-record gzipped WARC (warcio): `response` records (with their requests) or WET `conversion` ones."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    serial = iter(range(1, 1 << 20))

    def headers(date: str) -> dict[str, str]:
        return {"WARC-Date": date, "WARC-Record-ID": f"<urn:uuid:00000000-0000-0000-0000-{next(serial):012d}>"}

    info = writer.create_warcinfo_record(path.name, {"software": "dbom tests"})
    for name, value in headers("2024-01-01T00:00:00Z").items():
        info.rec_headers.replace_header(name, value)
    writer.write_record(info)
    for url, date, body, content_type in pages:
        if kind == "conversion":
            writer.write_record(writer.create_warc_record(url, "conversion", payload=io.BytesIO(body),
                                                          warc_content_type=content_type,
                                                          warc_headers_dict=headers(date)))
            continue
        request = StatusAndHeaders("GET / HTTP/1.1", [("Host", url.split("/")[2])], is_http_request=True)
        writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b""),
                                                      http_headers=request, warc_headers_dict=headers(date)))
        response = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                                      http_headers=response, warc_headers_dict=headers(date)))
    path.write_bytes(buffer.getvalue())


def _build(root: Path) -> list[Record]:
    """Write the corpus under `root`; the records the profile must see, with the text it must count."""
    root.mkdir(parents=True)
    plan = _plan()
    records: list[Record] = []
    jsonl, warc, wet = plan[:60], plan[60:120], plan[120:]
    for part in range(2):
        rows = []
        for offset, (url, date, prose) in enumerate(jsonl[part * 30:(part + 1) * 30]):
            text = _with_planted(prose, part * 30 + offset)
            rows.append({"id": part * 30 + offset, "text": text, "metadata": {"url": url, "date": date[:10]}})
            records.append(Record(url, date, text))
        with gzip.open(root / f"c4-like-{part:05d}.jsonl.gz", "wt", encoding="utf-8") as out:
            out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    for part in range(2):
        pages = []
        for offset, (url, date, prose) in enumerate(warc[part * 30:(part + 1) * 30]):
            text = _with_planted(prose, 60 + part * 30 + offset)
            title = " ".join(prose.split()[:6])
            paragraphs = [p.strip() for p in re.split(r"(?<=\.) (?=[A-Z])", text, maxsplit=2)]
            pages.append((url, date, _html(title, paragraphs), "text/html; charset=utf-8"))
            records.append(Record(url, date, "\n".join([title, *paragraphs])))
        image_url = f"https://{HOSTS[part]}/logo.png"
        pages.append((image_url, "2024-02-02T00:00:00Z", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png"))
        records.append(Record(image_url, "2024-02-02T00:00:00Z", None))
        _write_warc(root / f"CC-MAIN-2024-{part:05d}.warc.gz", pages, "response")
    for part in range(2):
        pages = []
        for offset, (url, date, prose) in enumerate(wet[part * 27:(part + 1) * 27]):
            text = _with_planted(prose, 120 + part * 27 + offset).replace(". ", ".\n", 1)
            pages.append((url, date, text.encode("utf-8"), "text/plain"))
            records.append(Record(url, date, text))
        _write_warc(root / f"CC-MAIN-2024-{part:05d}.warc.wet.gz", pages, "conversion")
    return records


def _train_tokenizer(folder: Path, texts: list[str]) -> Path:
    """A small BPE tokenizer.json trained on the corpus, whose sequences start with a [BOS] special token."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers

    tokenizer = Tokenizer(models.BPE(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=["[UNK]", "[BOS]"], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(texts, trainer=trainer)
    bos = tokenizer.token_to_id("[BOS]")
    tokenizer.post_processor = processors.TemplateProcessing(single="[BOS] $A", special_tokens=[("[BOS]", bos)])
    folder.mkdir(parents=True)
    tokenizer.save(str(folder / "tokenizer.json"))
    return folder / "tokenizer.json"


def _expected_domains(records: list[Record]) -> tuple[int, list[dict[str, object]]]:
    """The distinct registered domains and the top 10% by bytes of text (then by name), computed here."""
    import ipaddress
    from urllib.parse import urlsplit

    import tldextract

    extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False)
    counts: dict[str, list[int]] = {}
    for record in records:
        host = urlsplit(record.url).hostname or ""
        try:
            ipaddress.ip_address(host)
            domain = host
        except ValueError:
            parts = extract(host)
            domain = f"{parts.domain}.{parts.suffix}"
        entry = counts.setdefault(domain, [0, 0])
        entry[0] += len(record.text.encode("utf-8")) if record.text is not None else 0
        entry[1] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1][0], item[0]))
    top = ranked[:math.ceil(len(ranked) * 0.10)]
    return len(counts), [{"domain": d, "bytes": b, "records": r} for d, (b, r) in top]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Record], Path]:
    """The corpus folder, its records and a tokenizer trained on it."""
    base = tmp_path_factory.mktemp("crawl")
    records = _build(base / "crawl")
    texts = [r.text for r in records if r.text is not None]
    return base / "crawl", records, _train_tokenizer(base / "tiny-lm", texts)


def test_the_profile_of_a_crawl_corpus_counts_what_its_records_hold(crawl: tuple[Path, list[Record], Path],
                                                                    tmp_path: Path) -> None:
    from tokenizers import Tokenizer

    folder, records, tokenizer_path = crawl
    out = tmp_path / "dbom.cdx.json"
    done = run_dbom("scan", str(folder), "-o", str(out), "-q", "--profile", "exact", "--tokenizer",
                    str(tokenizer_path), env=EPOCH)
    assert done.returncode == 0, done.stderr
    (dataset,) = dbom.load(out).datasets
    found = dict(dataset.profile)
    texts = [r.text for r in records if r.text is not None]
    assert {f.name for f in dataset.summary.formats} == {"jsonl+gzip", "warc+gzip"}

    assert found["dbom:profile:mode"] == "exact"
    assert int(found["dbom:profile:sampled-records"]) == len(texts) == 174  # the two images have no text
    assert int(found["dbom:profile:characters"]) == sum(len(t) for t in texts)
    assert int(found["dbom:profile:words"]) == sum(len(t.split()) for t in texts)
    # tokens: the tokenizer's own count of the same texts, its [BOS] special token left out
    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    assert int(found["dbom:profile:tokens"]) == sum(len(tokenizer.encode(t, add_special_tokens=False).ids)
                                                    for t in texts)
    assert json.loads(found["dbom:profile:tokenizer"])["name"] == "tiny-lm"

    distinct, top = _expected_domains(records)
    assert int(found["dbom:profile:domains-distinct"]) == distinct == len(HOSTS) - len(SUFFIXES)  # blog.+www.river
    assert json.loads(found["dbom:profile:domains"]) == top and len(top) == 4  # the top 10% of 31
    assert found["dbom:profile:url-field"] == "WARC-Target-URI, metadata.url"

    languages = json.loads(found["dbom:profile:languages"])
    assert languages[0]["language"] == "en" and languages[0]["share"] > 0.7
    assert {entry["language"] for entry in languages[1:]} >= {"de", "fr"}

    planted = {kind: sum(1 for k, _ in PLANTED if k == kind) for kind in ("email", "phone", "ip", "card", "iban")}
    pii = json.loads(found["dbom:profile:pii"])
    assert {kind: pii[kind]["count"] for kind in planted} == planted  # markup, scripts, invalid numbers: none

    dates = sorted(r.date[:10] for r in records)
    assert json.loads(found["dbom:profile:period"]) == {"first": dates[0], "last": dates[-1]}
    assert run_dbom("validate", str(out)).returncode == 0


def test_a_warc_whose_first_records_have_no_text_is_profiled_by_the_text_of_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "images-first"
    folder.mkdir()
    images = [Page(f"https://img.example.com/{i}.png", b"\x89PNG\r\n\x1a\n" + bytes(32), "image/png")
              for i in range(150)]
    prose = _prose()[:5]
    pages = [Page(f"https://www.example.org/{i}", f"<p>{html.escape(text)}</p>".encode()) for i, text in
             enumerate(prose)]
    (folder / "crawl.warc.gz").write_bytes(warc_bytes(images + pages))
    out = tmp_path / "out.json"
    done = run_dbom("scan", str(folder), "-o", str(out), "-q", "--profile", "exact", env=EPOCH)
    assert done.returncode == 0, done.stderr
    found = dict(dbom.load(out).datasets[0].profile)
    assert int(found["dbom:profile:sampled-records"]) == len(prose)
    assert int(found["dbom:profile:characters"]) == sum(len(text) for text in prose)
    domains = {entry["domain"]: entry for entry in json.loads(found["dbom:profile:domains"])}
    assert found["dbom:profile:domains-distinct"] == "2" and list(domains) == ["example.org"]
    assert domains["example.org"]["records"] == len(prose)


def _domains_line(report: str) -> str:
    """The `crawl` line of EU 2.3's summary of the most relevant domain names crawled."""
    section = report.split("### 2.3 ")[1].split("\n### ")[0]
    lines = section.split("Summary of the most relevant domain names crawled:**\n")[1].splitlines()
    return next(line for line in lines if line.startswith("  - crawl: "))


def test_the_eu_summary_lists_the_domains_crawled_and_nothing_without_a_profile(
        crawl: tuple[Path, list[Record], Path], tmp_path: Path) -> None:
    folder, records, _ = crawl
    manifest = tmp_path / "dbom.yaml"
    manifest.write_text(yaml.safe_dump({"datasets": [{"name": "crawl", "path": str(folder), "eu_category": "2.3"}]}),
                        encoding="utf-8")
    distinct, top = _expected_domains(records)
    lines = {}
    for profile in ("exact", "off"):
        out = tmp_path / f"{profile}.cdx.json"
        done = run_dbom("scan", "-c", str(manifest), "-o", str(out), "-q", "--profile", profile, env=EPOCH)
        assert done.returncode == 0, done.stderr
        eu = tmp_path / f"{profile}.md"
        done = run_dbom("report", str(out), "--format", "eu", "-o", str(eu))
        assert done.returncode == 0, done.stderr
        text = re.sub(r"\\([\\`*_\[\]<>|#])", r"\1", eu.read_text(encoding="utf-8"))  # Markdown escapes undone
        lines[profile] = (_domains_line(text), text)
    listed, _ = lines["exact"]
    names = re.findall(r"([a-z0-9.]+) \([0-9.]+ (?:B|KiB|MiB)\)", listed)
    assert names == [entry["domain"] for entry in top], listed
    assert f"the top {len(top)} of {distinct} registered domains by bytes of text" in listed
    unprofiled, report = lines["off"]
    assert TODO in unprofiled and "--profile sample" in unprofiled
    # no domain, counted or not, is written anywhere in the summary without a profile
    assert not any(host in report for host in HOSTS)
    assert not any(entry["domain"] in report for entry in top)
