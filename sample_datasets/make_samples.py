#!/usr/bin/env python
"""Regenerate the four synthetic sample datasets that live beside this script.

    python sample_datasets/make_samples.py [OUTPUT_DIR]

OUTPUT_DIR defaults to the folder of this script. The script first deletes the four dataset
folders it owns there (`web-text`, `forum-qa`, `recipes`, `code-docs`) and nothing else, then
writes them again. Every byte is made here: the text comes from seeded pseudo-random choices
over the word lists below (`random.Random(seed)`, never `hash()`), so two runs with the same
Python, pyarrow, datasets and zlib produce byte-identical files:

* web-text  - 4 Parquet shards, written by pyarrow with fixed settings (codec, row-group
  size, page version, statistics); pyarrow records its own version in `created_by`, which is
  stable for one pyarrow version.
* forum-qa  - 3 gzip-compressed JSON Lines shards; the gzip header carries mtime=0 and no
  file name, so neither the clock nor the output path leaks into the bytes.
* recipes   - 2 CSV shards with `\\n` line ends and minimal quoting.
* code-docs - a `datasets.DatasetDict.save_to_disk` folder. Its `state.json` files hold a
  `_fingerprint`, which `datasets` derives by hashing the in-memory object (and draws at
  random when that hashing fails), so we set our own fixed fingerprint through the public
  `new_fingerprint` argument of `Dataset.select_columns` before saving. No other file there
  depends on time or on the output path.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import random
import shutil
import sys
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATASET_DIRS = ("web-text", "forum-qa", "recipes", "code-docs")

# One seed per dataset, so that changing one generator leaves the others' bytes alone.
SEED_WEB_TEXT = 20240101
SEED_FORUM_QA = 20240202
SEED_RECIPES = 20240303
SEED_CODE_DOCS = 20240404

# Records per shard. The totals are what tests and the report assert against.
WEB_TEXT_SHARD_ROWS = (300, 300, 300, 260)
WEB_TEXT_ROW_GROUP_SIZE = 160
FORUM_QA_SHARD_ROWS = (2000, 2000, 1800)
RECIPES_SHARD_ROWS = (260, 237)
CODE_DOCS_SPLIT_ROWS = {"train": 321, "test": 80}
CODE_DOCS_SPLIT_SHARDS = {"train": 2, "test": 1}

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")


def pick(rng: random.Random, items: Sequence[str]) -> str:
    """One element of `items`, chosen by `rng`."""
    return items[rng.randrange(len(items))]


def sentence_case(text: str) -> str:
    """`text` with its first character upper-cased and the rest left alone."""
    return text[:1].upper() + text[1:]


def slugify(text: str) -> str:
    """A lower-case, hyphen-separated ASCII slug of `text` for use in URLs."""
    out: list[str] = []
    for ch in text.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


def day_in(rng: random.Random, start: date, days: int) -> date:
    """A date within `days` days after `start`."""
    return start + timedelta(days=rng.randrange(days))


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text with `\\n` line ends, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def write_card(folder: Path, front: dict[str, object], body: str) -> None:
    """Write a dataset card `README.md`: YAML front matter from `front`, then the Markdown `body`."""
    import yaml

    header = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)
    write_text(folder / "README.md", f"---\n{header}---\n\n{body.strip()}\n")


# --------------------------------------------------------------------------------------------------
# web-text: web pages in English, German and French
# --------------------------------------------------------------------------------------------------

WEB_TOPICS: dict[str, dict[str, tuple[str, ...]]] = {
    "gardening": {
        "noun": ("tomato bed", "compost heap", "rain barrel", "raised bed", "herb spiral", "apple tree",
                 "greenhouse", "seed tray", "hedge", "lawn"),
        "plural": ("seedlings", "tomatoes", "bulbs", "cuttings", "perennials", "beans", "roses", "weeds"),
        "action": ("prune the apple tree", "sow beans directly outdoors", "start seeds on a windowsill",
                   "build a raised bed", "keep slugs off the lettuce", "water less often but deeper",
                   "mulch the borders", "divide old perennials"),
        "adj": ("sunny", "sheltered", "shady", "well-drained", "neglected", "tidy", "overgrown", "small"),
        "site": ("greenfingers", "allotment-diary", "backyard-notes"),
    },
    "cycling": {
        "noun": ("chain", "gravel bike", "rear derailleur", "tubeless tyre", "commuter route", "bike lane",
                 "saddle", "brake pad", "headset", "pannier rack"),
        "plural": ("spokes", "cleats", "inner tubes", "cable ties", "bike lights", "mudguards", "gears"),
        "action": ("adjust the rear derailleur", "fix a puncture at the roadside", "plan a winter commute",
                   "clean and oil the chain", "set up tubeless tyres", "choose the right saddle height",
                   "pack for an overnight tour", "bleed hydraulic brakes"),
        "adj": ("lightweight", "reliable", "muddy", "squeaky", "worn", "affordable", "steep", "quiet"),
        "site": ("spoke-and-chain", "commute-weekly", "gravel-journal"),
    },
    "astronomy": {
        "noun": ("telescope", "star chart", "meteor shower", "full moon", "eyepiece", "observing site",
                 "dark-sky park", "tripod", "planisphere", "lunar eclipse"),
        "plural": ("galaxies", "star clusters", "binoculars", "planets", "nebulae", "satellites", "comets"),
        "action": ("align a telescope finder", "photograph the Milky Way", "find Andromeda by eye",
                   "collimate a reflector", "watch a meteor shower", "escape light pollution",
                   "track the International Space Station", "sketch the Moon at the eyepiece"),
        "adj": ("clear", "hazy", "faint", "bright", "cold", "moonless", "steady", "portable"),
        "site": ("night-sky-notes", "stargazer-club", "backyard-astronomy"),
    },
    "home cooking": {
        "noun": ("cast-iron pan", "sourdough starter", "stockpot", "spice rack", "weeknight dinner",
                 "bread dough", "chef's knife", "pantry", "slow cooker", "sheet pan"),
        "plural": ("lentils", "onions", "dumplings", "leftovers", "spices", "flatbreads", "soups"),
        "action": ("keep a sourdough starter alive", "season a cast-iron pan", "cook rice without a recipe",
                   "plan a week of dinners", "sharpen a kitchen knife", "make stock from scraps",
                   "bake bread in a home oven", "freeze soup in portions"),
        "adj": ("crispy", "simple", "hearty", "quick", "smoky", "fragrant", "cheap", "golden"),
        "site": ("kitchen-table", "weeknight-eats", "pantry-cook"),
    },
    "local history": {
        "noun": ("old mill", "market square", "railway station", "parish register", "town archive",
                 "stone bridge", "harbour wall", "museum", "guild hall", "canal"),
        "plural": ("postcards", "photographs", "letters", "maps", "street names", "shipyards", "records"),
        "action": ("trace a family tree", "date an old photograph", "read a parish register",
                   "visit the town archive", "map a lost village", "interview older residents",
                   "restore a faded postcard", "research a house's history"),
        "adj": ("forgotten", "historic", "restored", "crumbling", "well-kept", "busy", "quiet", "old"),
        "site": ("heritage-trail", "town-chronicle", "old-streets"),
    },
}

WEB_PLACES = ("Millbrook", "Ashford Vale", "Riverside", "North Harbour", "Elmstead", "Kingsbridge",
              "Westmere", "Oakfield", "Lower Fenwick", "Stonebury")
WEB_ROLES = ("editor", "volunteer team", "reader panel", "workshop crew", "club members", "guest author")
WEB_ADVERBS = ("quickly", "reliably", "smoothly", "quietly", "well", "badly", "slowly", "predictably")
WEB_RESULTS = ("encouraging", "mixed", "surprising", "clear", "disappointing", "better than expected")
WEB_DURATIONS = ("two weeks", "a month", "one season", "three weekends", "a whole year", "ten days")

WEB_TEMPLATES_EN: tuple[str, ...] = (
    "Most people agree that a {adj} {noun} makes a real difference when you {action}.",
    "In {month}, our {role} in {place} tried to {action} and kept notes on every step.",
    "If you want to {action}, start with a {adj} {noun} and give it {duration}.",
    "Our {role} compared {number} different {plural} over {duration}.",
    "The results were {result}: the {adj} {noun} held up {adverb}, while the {plural} needed more care.",
    "Nobody expected the {noun} in {place} to work so {adverb}, but it did.",
    "A reader from {place} wrote in to ask how to {action} without spending much.",
    "The short answer is to keep the {noun} {adj} and to check the {plural} every few days.",
    "We will come back to the {noun} next {month}, once the {plural} have settled in.",
    "There is no single right way to {action}; what matters is that you start.",
    "Our {role} found that {number} {plural} were enough for a {adj} {noun}.",
    "Photos of the {noun} and a printable checklist are at the end of this page.",
    "It took {duration} to {action}, which is longer than most guides suggest.",
    "Keep a notebook, write down what you changed, and compare the {plural} after {duration}.",
)

WEB_TITLES_EN: tuple[str, ...] = (
    "How to {action}",
    "A beginner's guide: how to {action}",
    "What we learned when we tried to {action}",
    "{Adj} {plural} in {place}: notes from the {role}",
    "Ten tips for a {adj} {noun}",
    "Why your {noun} needs attention this {month}",
)

WEB_DE: dict[str, tuple[str, ...]] = {
    "plural": ("Tomaten", "Fahrräder", "Teleskope", "Brote", "Landkarten", "Rosen", "Sterne", "Suppen",
               "Bohnen", "Fotografien"),
    "adj": ("einfach", "günstig", "robust", "beliebt", "schwierig", "überraschend gut", "praktisch"),
    "verb": ("pflegen", "vergleichen", "reparieren", "planen", "beobachten", "testen", "sortieren"),
    "place": ("Neustadt", "Bergheim", "Lindenau", "Altenburg", "Seefeld", "Mühlbach"),
    "month": ("Januar", "März", "Mai", "Juli", "September", "November"),
    "site": ("garten-tagebuch", "rad-werkstatt", "sternwarte-blog"),
}
WEB_TEMPLATES_DE: tuple[str, ...] = (
    "Die {plural} in {place} sind in diesem Jahr {adj} geworden.",
    "Viele Leser fragen uns, wie man {plural} richtig {verb} kann.",
    "Im {month} haben wir {number} {plural} getestet und alles aufgeschrieben.",
    "Wer {plural} {verb} möchte, braucht vor allem Geduld und etwas Zeit.",
    "Unsere Redaktion in {place} hat die Ergebnisse noch einmal geprüft.",
    "Am Ende waren die {plural} {adj}, auch wenn nicht alles geklappt hat.",
    "Im nächsten Beitrag zeigen wir, wie man {plural} im {month} {verb} kann.",
    "Fotos und eine Checkliste finden Sie am Ende dieser Seite.",
)
WEB_TITLES_DE: tuple[str, ...] = (
    "So kann man {plural} {verb}",
    "{plural} in {place}: ein Erfahrungsbericht",
    "Was wir beim Versuch gelernt haben, {plural} zu {verb}",
)

WEB_FR: dict[str, tuple[str, ...]] = {
    "plural": ("tomates", "vélos", "télescopes", "pains", "cartes anciennes", "roses", "étoiles", "soupes",
               "haricots", "photographies"),
    "adj": ("simples", "fragiles", "rapides", "utiles", "célèbres", "pratiques", "robustes"),
    "verb": ("entretenir", "comparer", "réparer", "planifier", "observer", "tester", "trier"),
    "place": ("Valmont", "Saint-Aubin", "Beaulieu", "Montreuil", "Lavaur", "Rochefort"),
    "month": ("janvier", "mars", "mai", "juillet", "septembre", "novembre"),
    "site": ("carnet-du-jardin", "atelier-velo", "ciel-de-nuit"),
}
WEB_TEMPLATES_FR: tuple[str, ...] = (
    "Les {plural} de {place} sont très {adj} cette année.",
    "Beaucoup de lecteurs nous demandent comment {verb} les {plural} sans trop dépenser.",
    "En {month}, nous avons testé {number} {plural} et tout noté.",
    "Pour {verb} les {plural}, il faut surtout de la patience et un peu de temps.",
    "Notre équipe de {place} a vérifié les résultats une seconde fois.",
    "Au final, les {plural} se sont révélés {adj}, même si tout n'a pas marché.",
    "Dans le prochain article, nous verrons comment {verb} les {plural} en {month}.",
    "Les photos et une liste à imprimer se trouvent en bas de cette page.",
)
WEB_TITLES_FR: tuple[str, ...] = (
    "Comment {verb} les {plural}",
    "Les {plural} de {place} : notre retour d'expérience",
    "Ce que nous avons appris en essayant de {verb} les {plural}",
)


def _web_slots_en(rng: random.Random, topic: dict[str, tuple[str, ...]]) -> dict[str, str]:
    adj = pick(rng, topic["adj"])
    return {
        "adj": adj, "Adj": sentence_case(adj), "noun": pick(rng, topic["noun"]),
        "plural": pick(rng, topic["plural"]), "action": pick(rng, topic["action"]),
        "month": pick(rng, MONTHS_EN), "role": pick(rng, WEB_ROLES), "place": pick(rng, WEB_PLACES),
        "number": str(rng.randint(3, 24)), "duration": pick(rng, WEB_DURATIONS),
        "result": pick(rng, WEB_RESULTS), "adverb": pick(rng, WEB_ADVERBS),
    }


def _web_slots_other(rng: random.Random, words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {key: pick(rng, words[key]) for key in ("plural", "adj", "verb", "place", "month")} | {
        "number": str(rng.randint(3, 24))}


def _paragraphs(rng: random.Random, sentence: Callable[[], str], low: int, high: int) -> str:
    paragraphs = []
    for _ in range(rng.randint(2, 4)):
        paragraphs.append(" ".join(sentence() for _ in range(rng.randint(low, high))))
    return "\n\n".join(paragraphs)


def web_document(rng: random.Random, doc_id: int) -> dict[str, object]:
    """One synthetic web page: id, url, title, text, lang and crawl_date."""
    lang = rng.choices(("en", "de", "fr"), weights=(70, 15, 15))[0]
    if lang == "en":
        topic_name = pick(rng, sorted(WEB_TOPICS))
        topic = WEB_TOPICS[topic_name]
        title = sentence_case(pick(rng, WEB_TITLES_EN).format(**_web_slots_en(rng, topic)))
        text = _paragraphs(rng, lambda: pick(rng, WEB_TEMPLATES_EN).format(**_web_slots_en(rng, topic)), 3, 6)
        site = pick(rng, topic["site"])
        section = slugify(topic_name)
    else:
        words = WEB_DE if lang == "de" else WEB_FR
        templates = WEB_TEMPLATES_DE if lang == "de" else WEB_TEMPLATES_FR
        titles = WEB_TITLES_DE if lang == "de" else WEB_TITLES_FR
        title = sentence_case(pick(rng, titles).format(**_web_slots_other(rng, words)))
        text = _paragraphs(rng, lambda: pick(rng, templates).format(**_web_slots_other(rng, words)), 3, 6)
        site = pick(rng, words["site"])
        section = "blog"
    tld = "example.com" if rng.random() < 0.6 else "example.org"
    url = f"https://{site}.{tld}/{section}/{slugify(title)[:60].rstrip('-')}-{doc_id}"
    return {"id": doc_id, "url": url, "title": title, "text": text, "lang": lang,
            "crawl_date": day_in(rng, date(2024, 1, 1), 182)}


def make_web_text(root: Path) -> dict[str, int]:
    """Write web-text: 4 Parquet shards under data/, plus card and LICENSE. Return rows per shard."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(SEED_WEB_TEXT)
    schema = pa.schema([
        pa.field("id", pa.int64(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("title", pa.string()),
        pa.field("text", pa.string()),
        pa.field("lang", pa.string()),
        pa.field("crawl_date", pa.date32()),
    ])
    counts: dict[str, int] = {}
    next_id = 0
    total = len(WEB_TEXT_SHARD_ROWS)
    for index, rows in enumerate(WEB_TEXT_SHARD_ROWS):
        docs = [web_document(rng, next_id + i) for i in range(rows)]
        next_id += rows
        table = pa.Table.from_pylist(docs, schema=schema)
        relpath = f"data/train-{index:05d}-of-{total:05d}.parquet"
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(
            table, path, row_group_size=WEB_TEXT_ROW_GROUP_SIZE, version="2.6", data_page_version="1.0",
            compression="snappy", use_dictionary=["lang"], write_statistics=True,
            write_page_index=False, store_schema=True,
        )
        counts[relpath] = rows
    write_card(root, {
        "license": "cc-by-4.0",
        "language": ["en", "de", "fr"],
        "pretty_name": "Example Web Text",
        "description": "Synthetic web pages (how-to articles and blog posts) in English, German and French.",
        "size_categories": ["1K<n<10K"],
        "task_categories": ["text-generation"],
        "configs": [{"config_name": "default", "data_files": [{"split": "train", "path": "data/train-*"}]}],
    }, f"""
# Example Web Text

Homepage: https://example.org/datasets/web-text

A small sample of web pages - gardening, cycling, astronomy, home cooking and local history
articles - in English (about 70%), German and French. Each row has `id`, `url`, `title`, `text`,
`lang` (ISO 639-1) and `crawl_date`.

**This data is synthetic.** Every page was generated by `make_samples.py` from word lists and
sentence templates; the URLs point at example.com and example.org and lead nowhere.

## Files

{total} Parquet shards under `data/`, {sum(WEB_TEXT_SHARD_ROWS)} rows in all.

## License

Creative Commons Attribution 4.0 International (CC BY 4.0); see `LICENSE`.
""")
    write_text(root / "LICENSE", (
        "Example Web Text\n\n"
        "This dataset is made available under the Creative Commons Attribution 4.0 International "
        "License (CC BY 4.0).\n\n"
        "To view a copy of this license, visit https://creativecommons.org/licenses/by/4.0/\n"))
    return counts


# --------------------------------------------------------------------------------------------------
# forum-qa: questions and answers from a help forum
# --------------------------------------------------------------------------------------------------

FORUM_TOPICS: dict[str, dict[str, tuple[str, ...]]] = {
    "bikes": {
        "thing": ("rear derailleur", "disc brake", "chain", "tubeless tyre", "bottom bracket", "headset"),
        "task": ("index my gears", "true a wheel", "replace brake pads", "seat a tubeless tyre",
                 "shorten a chain", "stop a creaking crank"),
        "symptom": ("click on every pedal stroke", "rub when I stand up", "lose air overnight",
                    "skip under load", "squeal in the rain"),
        "fix": ("turn the barrel adjuster a quarter turn", "clean the rotor with isopropyl alcohol",
                "check the hanger alignment", "add fresh sealant", "regrease the threads"),
        "tags": ("maintenance", "drivetrain", "brakes", "wheels", "commuting", "road", "gravel"),
    },
    "cooking": {
        "thing": ("sourdough starter", "cast-iron pan", "stockpot", "pressure cooker", "bread dough",
                  "chef's knife"),
        "task": ("keep bread from going stale", "get a crisp crust", "thicken a sauce",
                 "cook dried beans", "fix an over-salted soup", "sharpen a dull knife"),
        "symptom": ("smell like nail polish", "turn out gummy", "stick every time", "rust after washing",
                    "collapse in the oven"),
        "fix": ("feed it twice a day for a week", "dry it on the hob and oil it lightly",
                "lower the oven temperature", "let the dough rest longer", "add an acid at the end"),
        "tags": ("baking", "bread", "cookware", "techniques", "food-safety", "vegetarian", "budget"),
    },
    "gardening": {
        "thing": ("tomato plant", "compost heap", "lawn", "apple tree", "seed tray", "rose bush"),
        "task": ("stop slugs eating seedlings", "prune an old apple tree", "start a compost heap",
                 "grow tomatoes on a balcony", "get rid of moss", "save seeds for next year"),
        "symptom": ("get yellow leaves", "smell sour", "wilt in the afternoon", "drop its flowers",
                    "grow mould on the surface"),
        "fix": ("water in the morning instead of the evening", "add more brown material",
                "improve the drainage", "feed it once a fortnight", "move it into more light"),
        "tags": ("vegetables", "compost", "pests", "fruit-trees", "containers", "soil", "organic"),
    },
    "home-network": {
        "thing": ("router", "mesh node", "printer", "network switch", "smart plug", "NAS"),
        "task": ("set up a guest network", "give the printer a fixed address", "improve Wi-Fi upstairs",
                 "back up my photos to the NAS", "update the router firmware", "block ads for the house"),
        "symptom": ("drop off every evening", "show as offline", "slow down after an hour",
                    "reboot on its own", "refuse new devices"),
        "fix": ("move it off the floor and away from the microwave", "reserve an address in DHCP",
                "switch the 2.4 GHz channel", "factory-reset it and start over", "check the power supply"),
        "tags": ("wifi", "router", "dhcp", "printing", "backup", "firmware", "troubleshooting"),
    },
}

FORUM_QUESTIONS: tuple[str, ...] = (
    "How do I {task} without making things worse?",
    "What is the easiest way to {task}? I have tried twice and failed.",
    "Why does my {thing} {symptom}?",
    "My {thing} started to {symptom} last week. Any ideas?",
    "Beginner here: is it worth learning to {task} myself, or should I pay someone?",
    "Is there a cheap way to {task}? My budget is tight this month.",
)
FORUM_DETAILS: tuple[str, ...] = (
    "I followed a guide I found, but the {thing} still seems to {symptom}.",
    "It worked fine for about {number} months before this started.",
    "I have already tried to {fix_lower}, with no change.",
    "Photos are attached in case they help.",
    "Any advice is welcome, thanks in advance!",
    "This is my first {thing}, so I may be missing something obvious.",
)
FORUM_ANSWERS: tuple[str, ...] = (
    "Try to {fix} first; it solves this in most cases.",
    "In my experience a {thing} will {symptom} when it has not been looked after for a while.",
    "Before you {task_lower}, make sure you have the right tools and about {number} minutes of quiet.",
    "If that does not help, {fix} and check again after a day or two.",
    "I had exactly the same problem with my {thing}, and it turned out to be something small.",
    "Don't overthink it. Most people learn to {task_lower} after one or two attempts.",
    "The manual says the same thing, although it is not easy to find.",
    "Edit: a friend reminded me that you should {fix}, too.",
)


def forum_record(rng: random.Random, record_id: int) -> dict[str, object]:
    """One synthetic forum question with its accepted-or-not answer, score and tags."""
    category = pick(rng, sorted(FORUM_TOPICS))
    words = FORUM_TOPICS[category]

    def slots() -> dict[str, str]:
        task = pick(rng, words["task"])
        fix = pick(rng, words["fix"])
        return {"thing": pick(rng, words["thing"]), "task": task, "task_lower": task,
                "symptom": pick(rng, words["symptom"]), "fix": fix, "fix_lower": fix,
                "number": str(rng.randint(2, 30))}

    question = pick(rng, FORUM_QUESTIONS).format(**slots())
    details = " ".join(pick(rng, FORUM_DETAILS).format(**slots()) for _ in range(rng.randint(1, 3)))
    answer = " ".join(pick(rng, FORUM_ANSWERS).format(**slots()) for _ in range(rng.randint(2, 5)))
    extra = rng.sample(words["tags"], rng.randint(1, 3))
    score = int(rng.paretovariate(1.6)) - 1 - (1 if rng.random() < 0.1 else 0)
    return {
        "id": f"fqa-{record_id:06d}",
        "question": f"{question} {details}",
        "answer": answer,
        "score": min(score, 999),
        "accepted": rng.random() < 0.4,
        "tags": [category, *extra],
        "created": day_in(rng, date(2021, 1, 1), 3 * 365).isoformat(),
    }


def make_forum_qa(root: Path) -> dict[str, int]:
    """Write forum-qa: 3 gzip JSON Lines shards, plus card and LICENSE. Return rows per shard."""
    rng = random.Random(SEED_FORUM_QA)
    counts: dict[str, int] = {}
    next_id = 1
    root.mkdir(parents=True, exist_ok=True)
    for index, rows in enumerate(FORUM_QA_SHARD_ROWS):
        lines = []
        for _ in range(rows):
            lines.append(json.dumps(forum_record(rng, next_id), ensure_ascii=False) + "\n")
            next_id += 1
        raw = "".join(lines).encode("utf-8")
        buffer = io.BytesIO()
        # filename="" and mtime=0: no name and no timestamp in the gzip header.
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
            gz.write(raw)
        relpath = f"forum-qa-{index:05d}.jsonl.gz"
        (root / relpath).write_bytes(buffer.getvalue())
        counts[relpath] = rows
    write_card(root, {
        "license": "cc-by-nc-4.0",
        "language": ["en"],
        "pretty_name": "Example Forum Q&A",
        "description": "Synthetic question-and-answer threads from a hobbyist help forum.",
        "size_categories": ["1K<n<10K"],
        "task_categories": ["question-answering"],
    }, f"""
# Example Forum Q&A

Homepage: https://example.org/datasets/forum-qa

Questions and answers from a help forum about bikes, cooking, gardening and home networking.
Each line is a JSON object with `id`, `question`, `answer`, `score`, `accepted`, `tags` (a
list) and `created` (ISO date).

**This data is synthetic.** It was generated by `make_samples.py` from word lists and
sentence templates; no real forum posts are included.

## Files

{len(FORUM_QA_SHARD_ROWS)} gzip-compressed JSON Lines shards, {sum(FORUM_QA_SHARD_ROWS)} records in all.

## License

Creative Commons Attribution-NonCommercial 4.0 International (CC BY-NC 4.0): you may not use
this material for commercial purposes. See `LICENSE`.
""")
    write_text(root / "LICENSE", (
        "Example Forum Q&A\n\n"
        "This dataset is made available under the Creative Commons Attribution-NonCommercial 4.0 "
        "International License (CC BY-NC 4.0).\n\n"
        "To view a copy of this license, visit https://creativecommons.org/licenses/by-nc/4.0/\n"))
    return counts


# --------------------------------------------------------------------------------------------------
# recipes: CSV with quoted, comma-bearing fields
# --------------------------------------------------------------------------------------------------

RECIPE_ADJ = ("Smoky", "Crispy", "Creamy", "Spiced", "Quick", "Golden", "Rustic", "Zesty", "Slow-Cooked",
              "One-Pan", "Herby", "Sticky")
RECIPE_MAIN = ("Chickpea Stew", "Lentil Soup", "Roast Chicken", "Mushroom Risotto", "Fish Tacos",
               "Vegetable Curry", "Bean Chili", "Potato Gratin", "Tofu Stir-Fry", "Pork Ragù",
               "Sweet Potato Hash", "Barley Salad", "Flatbreads", "Apple Crumble", "Banana Bread")
RECIPE_SIDE = ("Lemon Rice", "Garlic Yoghurt", "Charred Greens", "Crème Fraîche", "Jalapeño Salsa",
               "Herb Oil", "Pickled Onions", "Toasted Seeds", "Crusty Bread", "Mashed Peas")
RECIPE_NICKNAMES = ("Sunday", "Snow Day", "Midweek Rescue", "Grandma's Best", "Lazy Friday")
RECIPE_CUISINES = ("british", "french", "indian", "italian", "mexican", "middle-eastern", "chinese",
                   "american", "mediterranean")
# Ingredients by role, each with the unit it is measured in ("" = a count of 2-4, "pinch" = a pinch).
RECIPE_INGREDIENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "fat": (("olive oil", "tbsp"), ("butter", "g"), ("sunflower oil", "tbsp"), ("ghee", "tbsp")),
    "veg": (("onions, finely chopped", ""), ("garlic cloves, crushed", ""), ("carrots, diced", ""),
            ("celery sticks, sliced", ""), ("potatoes, peeled", "g"), ("spring onions", ""),
            ("jalapeños, seeded", ""), ("mushrooms, quartered", "g"), ("red peppers, sliced", ""),
            ("fresh ginger, grated", "tbsp")),
    "spice": (("smoked paprika", "tsp"), ("ground cumin", "tsp"), ("chilli flakes", "pinch"),
              ("cinnamon", "tsp"), ("garam masala", "tsp"), ("dried oregano", "tsp"),
              ("black pepper", "pinch")),
    "liquid": (("vegetable stock", "ml"), ("tinned tomatoes", "g"), ("coconut milk", "ml"),
               ("whole milk", "ml"), ("soy sauce", "tbsp"), ("white wine", "ml")),
    "base": (("basmati rice", "g"), ("red lentils", "g"), ("dried chickpeas, soaked overnight", "g"),
             ("black beans, drained", "g"), ("plain flour", "g"), ("oats", "g"), ("pasta", "g"),
             ("pearl barley", "g")),
    "finish": (("crème fraîche", "tbsp"), ("parmesan, grated", "g"), ("fresh coriander", "tbsp"),
               ("lemons, juiced", ""), ("brown sugar", "tbsp"), ("sea salt flakes", "pinch"), ("eggs", "")),
}
RECIPE_STEPS: dict[str, tuple[str, ...]] = {
    "fat": ("Heat the {fat} in a large pan over a medium heat.",
            "Warm the {fat} in a heavy casserole until it shimmers."),
    "veg": ("Add the {veg} and {veg2}, then cook for {n} minutes, stirring now and then.",
            "Fry the {veg} gently until soft, about {n} minutes, then add the {veg2}."),
    "spice": ("Stir in the {spice} and cook for a minute until fragrant.",
              "Season with salt, pepper and the {spice}."),
    "liquid": ("Pour in the {liquid}, bring to a simmer, cover, and cook for {n} minutes.",
               "Add the {liquid}, stir well, then simmer for {n} minutes until thick."),
    "base": ("Meanwhile, cook the {base} in plenty of salted water, then drain.",
             "Rinse the {base}, then add it to the pan with a splash of water."),
    "oven": ("Preheat the oven to {t}°C, transfer everything to a dish, and bake for {n} minutes.",),
    "finish": ("Taste, adjust the seasoning, and finish with the {finish}.",
               "Leave to rest for {n} minutes, then serve with the {finish} on the side."),
}


def _ingredient(rng: random.Random, name: str, unit: str) -> str:
    if unit == "pinch":
        return f"a pinch of {name}"
    if unit == "":
        return f"{rng.randint(2, 4)} {name}"
    if unit in ("g", "ml"):
        return f"{rng.choice((50, 100, 150, 200, 250, 300, 400, 500))} {unit} {name}"
    return f"{rng.randint(1, 3)} {unit} {name}"


def recipe_row(rng: random.Random, recipe_id: int) -> list[str]:
    """One synthetic recipe as a CSV row (see RECIPE_COLUMNS)."""
    title = f"{pick(rng, RECIPE_ADJ)} {pick(rng, RECIPE_MAIN)} with {pick(rng, RECIPE_SIDE)}"
    if rng.random() < 0.05:
        title = f'"{pick(rng, RECIPE_NICKNAMES)}" {title}'
    chosen: dict[str, list[tuple[str, str]]] = {}
    for role, options in RECIPE_INGREDIENTS.items():
        chosen[role] = rng.sample(options, 2 if role == "veg" else 1 + (rng.random() < 0.3))
    ingredients = ", ".join(_ingredient(rng, name, unit) for items in chosen.values() for name, unit in items)
    short = {role: [name.split(",")[0] for name, _ in items] for role, items in chosen.items()}
    slots = {role: names[0] for role, names in short.items()} | {"veg2": short["veg"][1]}
    roles = ["fat", "veg", "spice", "liquid", "base"] + (["oven"] if rng.random() < 0.35 else []) + ["finish"]
    instructions = " ".join(
        pick(rng, RECIPE_STEPS[role]).format(n=rng.randint(3, 45), t=rng.choice((160, 180, 200, 220)),
                                             **slots)
        for role in roles)
    return [
        str(recipe_id), title, pick(rng, RECIPE_CUISINES), str(rng.randint(1, 8)), str(rng.randint(5, 40)),
        str(rng.choice((10, 15, 20, 25, 30, 45, 60, 90, 120))), ingredients, instructions,
        f"{rng.randint(25, 50) / 10:.1f}",
    ]


RECIPE_COLUMNS = ("id", "title", "cuisine", "servings", "prep_minutes", "cook_minutes", "ingredients",
                  "instructions", "rating")


def make_recipes(root: Path) -> dict[str, int]:
    """Write recipes: 2 CSV shards with a header row, plus card and LICENSE. Return rows per shard."""
    rng = random.Random(SEED_RECIPES)
    counts: dict[str, int] = {}
    next_id = 1
    root.mkdir(parents=True, exist_ok=True)
    for index, rows in enumerate(RECIPES_SHARD_ROWS):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(RECIPE_COLUMNS)
        for _ in range(rows):
            writer.writerow(recipe_row(rng, next_id))
            next_id += 1
        relpath = f"recipes-part{index + 1}.csv"
        (root / relpath).write_bytes(buffer.getvalue().encode("utf-8"))
        counts[relpath] = rows
    write_card(root, {
        "license": "cc0-1.0",
        "language": ["en"],
        "pretty_name": "Example Recipes",
        "description": "Synthetic home-cooking recipes with ingredients, instructions and ratings.",
        "size_categories": ["1K<n<10K"],
        "task_categories": ["text-generation"],
    }, f"""
# Example Recipes

Homepage: https://example.org/datasets/recipes

Home-cooking recipes as CSV with a header row: {", ".join(f"`{c}`" for c in RECIPE_COLUMNS)}.
The `ingredients` and `instructions` fields contain commas and are quoted; a few titles
contain double quotes, escaped by doubling them.

**This data is synthetic.** It was generated by `make_samples.py` from word lists and
sentence templates.

## Files

{len(RECIPES_SHARD_ROWS)} CSV shards, {sum(RECIPES_SHARD_ROWS)} recipes in all (not counting header rows).

## License

CC0 1.0 Universal: dedicated to the public domain; see `LICENSE`.
""")
    write_text(root / "LICENSE", (
        "Example Recipes\n\n"
        "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication.\n\n"
        "To the extent possible under law, the authors of this dataset have waived all copyright and "
        "related or neighboring rights to it and dedicate it to the public domain under CC0 1.0 "
        "Universal. You may copy, modify, distribute and use the data, even for commercial purposes, "
        "without asking permission.\n\n"
        "The full legal text is at https://creativecommons.org/publicdomain/zero/1.0/legalcode\n"))
    return counts


# --------------------------------------------------------------------------------------------------
# code-docs: a `datasets` save_to_disk folder of Python functions and docstrings
# --------------------------------------------------------------------------------------------------

CODE_PROJECTS = ("tidyconf", "quickparse", "gridkit", "logsmith", "pathwise", "batchy", "tinyqueue",
                 "colorline")
CODE_MODULES = ("core", "utils", "io", "config", "cli", "parsing", "cache", "formatting")
CODE_VERBS = ("load", "parse", "validate", "normalize", "merge", "compute", "render", "format", "split",
              "count", "filter", "encode", "decode", "resolve", "collect")
CODE_NOUNS = ("config", "record", "header", "token", "path", "timestamp", "batch", "chunk", "payload",
              "index", "schema", "entry", "template", "column", "setting")
CODE_PURPOSES = ("so that callers get a consistent result", "before it is written to disk",
                 "for display in the command-line interface", "according to the project settings",
                 "while keeping the original order", "and reports the first problem it finds")
CODE_ARGS = (("path", "str", "The file to read."),
             ("records", "list[dict[str, str]]", "The rows to process."),
             ("limit", "int", "The largest number of items to return."),
             ("strict", "bool", "Raise on the first invalid item instead of skipping it."),
             ("encoding", "str", "The text encoding of the input."),
             ("items", "Iterable[str]", "The values to work on."),
             ("separator", "str", "The delimiter between fields."))
CODE_RETURNS = (("list[str]", "The cleaned values, in input order."),
                ("dict[str, int]", "A mapping from each key to how often it occurs."),
                ("bool", "True when everything is valid."), ("str", "The formatted text."),
                ("int", "The number of items processed."))


def _code_body(rng: random.Random, args: list[tuple[str, str, str]], ret: str) -> list[str]:
    iterable = next((name for name, kind, _ in args if kind.startswith(("list", "Iterable"))), None)
    lines: list[str] = []
    if any(name == "path" for name, _, _ in args):
        enc = "encoding" if any(name == "encoding" for name, _, _ in args) else '"utf-8"'
        lines += [f"with open(path, encoding={enc}) as handle:", "    text = handle.read()"]
        iterable = iterable or "text.splitlines()"
    iterable = iterable or "[]"
    if ret == "dict[str, int]":
        lines += ["counts: dict[str, int] = {}", f"for item in {iterable}:",
                  "    key = str(item).strip().lower()", "    counts[key] = counts.get(key, 0) + 1",
                  "return counts"]
    elif ret == "bool":
        lines += [f"for item in {iterable}:", "    if not item:"]
        if any(name == "strict" for name, _, _ in args):
            lines += ["        if strict:", '            raise ValueError("empty item")']
        lines += ["        return False", "return True"]
    elif ret == "int":
        lines += ["total = 0", f"for _ in {iterable}:", "    total += 1", "return total"]
    elif ret == "str":
        sep = "separator" if any(name == "separator" for name, _, _ in args) else '", "'
        lines += [f"parts = [str(item).strip() for item in {iterable}]", f"return {sep}.join(parts)"]
    else:
        lines += ["result: list[str] = []", f"for item in {iterable}:", "    value = str(item).strip()",
                  "    if not value:", "        continue", "    result.append(value)"]
        if any(name == "limit" for name, _, _ in args):
            lines += ["    if len(result) >= limit:", "        break"]
        lines += ["return result"]
    return lines


def code_record(rng: random.Random, record_id: int) -> dict[str, object]:
    """One synthetic Python function with its docstring, repository and path."""
    project = pick(rng, CODE_PROJECTS)
    verb, noun = pick(rng, CODE_VERBS), pick(rng, CODE_NOUNS)
    plural = rng.random() < 0.4
    name = f"{verb}_{noun}s" if plural else f"{verb}_{noun}"
    args = sorted(rng.sample(CODE_ARGS, rng.randint(1, 3)), key=CODE_ARGS.index)
    ret, ret_doc = CODE_RETURNS[rng.randrange(len(CODE_RETURNS))]
    summary = f"{sentence_case(verb)} the {noun}{'s' if plural else ''} {pick(rng, CODE_PURPOSES)}."
    doc_lines = [summary, "", "Args:", *(f"    {a}: {d}" for a, _, d in args), "", "Returns:",
                 f"    {ret_doc}"]
    docstring = "\n".join(doc_lines)
    signature = ", ".join(f"{a}: {t}" for a, t, _ in args)
    body = ['"""' + doc_lines[0], *doc_lines[1:], '"""', *_code_body(rng, args, ret)]
    code = f"def {name}({signature}) -> {ret}:\n" + "\n".join(f"    {line}" if line else "" for line in body)
    return {
        "id": record_id,
        "repo": f"example-org/{project}",
        "path": f"{project}/{pick(rng, CODE_MODULES)}.py",
        "func_name": name,
        "language": "python",
        "docstring": docstring,
        "code": code + "\n",
    }


def make_code_docs(root: Path) -> dict[str, int]:
    """Write code-docs with `datasets` save_to_disk (train/test), card and LICENSE; return rows per file."""
    import datasets

    datasets.disable_progress_bars()
    features = datasets.Features({
        "id": datasets.Value("int64"), "repo": datasets.Value("string"), "path": datasets.Value("string"),
        "func_name": datasets.Value("string"), "language": datasets.Value("string"),
        "docstring": datasets.Value("string"), "code": datasets.Value("string"),
    })
    rng = random.Random(SEED_CODE_DOCS)
    splits = {}
    next_id = 0
    for split, rows in CODE_DOCS_SPLIT_ROWS.items():
        records = [code_record(rng, next_id + i) for i in range(rows)]
        next_id += rows
        info = datasets.DatasetInfo(
            description="Synthetic Python functions with their docstrings.",
            homepage="https://example.org/datasets/code-docs", license="apache-2.0", features=features)
        columns = {key: [r[key] for r in records] for key in features}
        dataset = datasets.Dataset.from_dict(columns, info=info, split=split)
        # A fixed fingerprint of our own, so that state.json does not depend on how (or whether)
        # this version of `datasets` hashes in-memory tables.
        fingerprint = hashlib.sha256(f"code-docs/{split}/{SEED_CODE_DOCS}/{rows}".encode()).hexdigest()[:16]
        splits[split] = dataset.select_columns(list(features), new_fingerprint=fingerprint)
    datasets.DatasetDict(splits).save_to_disk(str(root), num_shards=dict(CODE_DOCS_SPLIT_SHARDS))
    counts: dict[str, int] = {}
    for split, rows in CODE_DOCS_SPLIT_ROWS.items():
        shards = CODE_DOCS_SPLIT_SHARDS[split]
        # save_to_disk cuts contiguous shards; the first `rows % shards` get one row more.
        for index in range(shards):
            counts[f"{split}/data-{index:05d}-of-{shards:05d}.arrow"] = rows // shards + (
                1 if index < rows % shards else 0)
    total = sum(CODE_DOCS_SPLIT_ROWS.values())
    write_card(root, {
        "license": "apache-2.0",
        "language": ["en"],
        "pretty_name": "Example Code Docs",
        "description": "Synthetic Python functions paired with their docstrings.",
        "size_categories": ["n<1K"],
        "task_categories": ["summarization", "text-generation"],
    }, f"""
# Example Code Docs

Homepage: https://example.org/datasets/code-docs

Python functions and their Google-style docstrings, saved with the Hugging Face `datasets`
library (`DatasetDict.save_to_disk`), with a `train` and a `test` split. Columns: `id`,
`repo`, `path`, `func_name`, `language`, `docstring` and `code`. Load it with
`datasets.load_from_disk("code-docs")`.

**This data is synthetic.** It was generated by `make_samples.py` from word lists and code
templates; the repositories named in it do not exist.

## Splits

{", ".join(f"{s}: {n} rows" for s, n in CODE_DOCS_SPLIT_ROWS.items())} ({total} in all).

## License

Apache License, Version 2.0; see `LICENSE`.
""")
    write_text(root / "LICENSE", (
        "Copyright 2024 Example AI Lab\n\n"
        'Licensed under the Apache License, Version 2.0 (the "License");\n'
        "you may not use this file except in compliance with the License.\n"
        "You may obtain a copy of the License at\n\n"
        "    http://www.apache.org/licenses/LICENSE-2.0\n\n"
        "Unless required by applicable law or agreed to in writing, software\n"
        'distributed under the License is distributed on an "AS IS" BASIS,\n'
        "WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.\n"
        "See the License for the specific language governing permissions and\n"
        "limitations under the License.\n"))
    return counts


GENERATORS: dict[str, Callable[[Path], dict[str, int]]] = {
    "web-text": make_web_text,
    "forum-qa": make_forum_qa,
    "recipes": make_recipes,
    "code-docs": make_code_docs,
}


def generate(out_dir: Path) -> dict[str, dict[str, int]]:
    """Delete and regenerate the four dataset folders under `out_dir`; return records per data file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result: dict[str, dict[str, int]] = {}
    for name in DATASET_DIRS:
        target = out_dir / name
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.exists():
            shutil.rmtree(target)
    for name in DATASET_DIRS:
        result[name] = GENERATORS[name](out_dir / name)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: regenerate the samples and print the record counts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output_dir", nargs="?", type=Path, default=HERE,
                        help="where to write the four dataset folders (default: this script's folder)")
    args = parser.parse_args(argv)
    counts = generate(args.output_dir)
    for name, files in counts.items():
        print(f"{name}: {sum(files.values())} records")
        for relpath, rows in files.items():
            print(f"  {relpath}: {rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
