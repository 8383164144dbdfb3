"""Real text in several languages, written for these tests, the records built from it, and a tokenizer trained on it."""

from __future__ import annotations

from pathlib import Path

TEXTS = {
    "en": ("The river rose slowly through the night, and by morning the lower fields were under water. Farmers "
           "moved their animals to the hill behind the church, where the ground stays dry even in the wettest "
           "spring. Nobody in the village could remember a flood like this one since their grandparents' time."),
    "fr": ("La rivière a monté lentement pendant la nuit, et au matin les champs du bas étaient sous l'eau. Les "
           "agriculteurs ont conduit leurs bêtes sur la colline derrière l'église, où le sol reste sec même au "
           "printemps le plus pluvieux. Personne au village ne se souvenait d'une telle crue."),
    "de": ("Der Fluss stieg in der Nacht langsam an, und am Morgen standen die unteren Felder unter Wasser. Die "
           "Bauern brachten ihre Tiere auf den Hügel hinter der Kirche, wo der Boden selbst im nassesten Frühjahr "
           "trocken bleibt. Niemand im Dorf konnte sich an ein solches Hochwasser erinnern."),
    "es": ("El río subió lentamente durante la noche y por la mañana los campos de abajo estaban bajo el agua. Los "
           "campesinos llevaron a sus animales a la colina detrás de la iglesia, donde la tierra sigue seca incluso "
           "en la primavera más lluviosa. Nadie en el pueblo recordaba una crecida así."),
    "it": ("Il fiume è salito lentamente durante la notte e al mattino i campi più bassi erano sott'acqua. I "
           "contadini hanno portato gli animali sulla collina dietro la chiesa, dove il terreno resta asciutto "
           "anche nella primavera più piovosa. Nessuno in paese ricordava una piena del genere."),
    "ru": ("Ночью река медленно поднималась, и к утру нижние поля оказались под водой. Крестьяне отвели скот на "
           "холм за церковью, где земля остаётся сухой даже самой дождливой весной. Никто в деревне не помнил "
           "такого наводнения со времён своих дедов."),
    "ja": ("川は夜のあいだにゆっくりと水かさを増し、朝には低い畑がすっかり水に沈んでいた。農家の人たちは家畜を"
           "教会の裏の丘へ移した。そこはどんなに雨の多い春でも地面が乾いている場所だ。村の誰も、祖父母の時代以来"
           "このような洪水を覚えていなかった。"),
    "zh": ("河水在夜里慢慢上涨，到了早上，低处的田地都被水淹没了。农民们把牲口赶到教堂后面的小山上，那里的土地"
           "即使在最多雨的春天也保持干燥。村里没有人记得自从祖父母那一代以来发生过这样的洪水。"),
}


def records(count: int) -> list[dict[str, object]]:
    """`count` records cycling through the languages, with nested metadata (url, date) and some PII."""
    languages = sorted(TEXTS)
    hosts = ["www.example.co.uk", "news.example.co.uk", "blog.example.org", "example.org", "shop.example.com",
             "192.0.2.7", "例子.中国", "a.b.example.com.au"]
    rows = []
    for index in range(count):
        language = languages[index % len(languages)]
        text = TEXTS[language]
        if index % 5 == 0:
            text += f" Contact: person{index}@example.net or +44 20 7946 {index % 10000:04d}."
        if index % 7 == 0:
            text += " Card 4111 1111 1111 1111, not 4111 1111 1111 1112."
        host = hosts[(index * 7 + index // 3) % len(hosts)]
        rows.append({"id": index, "text": text * (1 + index % 3),
                     "metadata": {"url": f"https://{host}/page/{index}?q=1", "date": f"2023-{1 + index % 12:02d}-"
                                  f"{1 + index % 28:02d}T12:00:00Z"}})
    return rows


def train_tokenizer(folder: Path, kind: str = "bpe") -> Path:
    """Train a small BPE (or WordLevel) tokenizer on TEXTS and save it as folder/tokenizer.json."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers

    if kind == "bpe":
        tokenizer = Tokenizer(models.BPE(unk_token="[UNK]"))
        trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["[UNK]", "[BOS]"], show_progress=False)
    else:
        tokenizer = Tokenizer(models.WordLevel(unk_token="[UNK]"))
        trainer = trainers.WordLevelTrainer(special_tokens=["[UNK]"], show_progress=False)
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator(list(TEXTS.values()), trainer=trainer)
    if kind == "bpe":  # a model's sequences start with [BOS]: a special token the profile does not count
        bos = tokenizer.token_to_id("[BOS]")
        tokenizer.post_processor = processors.TemplateProcessing(single="[BOS] $A", special_tokens=[("[BOS]", bos)])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tokenizer.json"
    tokenizer.save(str(path))
    return path
