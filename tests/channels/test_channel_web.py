"""web channel: RSS 2.0 and Atom items through feedparser, quarantined with their own XML."""

from __future__ import annotations

from folder_reading import read_after
from voc.channels import web
from voc.settings import Settings


def test_an_rss_item_payload(settings: Settings) -> None:
    page = read_after(web.CHANNEL, "alerts_2026-08-03.xml", settings)

    assert page.records[0].payload == {
        "feed_title": "Blog Móvil",
        "feed_format": "rss20",
        "id": "blog-movil-1001",
        "link": "https://blog-movil.example/2026/08/alba-precios",
        "title": "Alba Connect sube precios",
        "summary": "Los clientes de Alba Connect se quejan de la subida.",
        "author": "redaccion@blog-movil.example (Redacción)",
        "published": "Mon, 03 Aug 2026 09:15:02 +0200",
        "language": "es",
    }
    assert page.records[1].payload["id"] is None  # no guid: keyed by its link


def test_atom_entries_fall_back_to_updated_and_to_their_own_language(settings: Settings) -> None:
    first, second, _ = read_after(web.CHANNEL, None, settings).records

    assert first.payload["feed_format"] == "atom10"
    assert first.payload["published"] == "2026-08-03T09:40:00+02:00"
    assert first.payload["author"] == "News Desk"
    assert first.payload["language"] == "en"
    assert second.payload["published"] == "2026-08-03T16:00:00Z"
    assert second.payload["language"] == "es"


def test_a_rejected_item_is_its_own_xml(settings: Settings) -> None:
    page = read_after(web.CHANNEL, "alerts_2026-08-03.xml", settings)

    no_key, bad_date = page.rejected
    assert no_key.original.startswith(b"<item>\n      <title>Un item sin enlace</title>")
    assert no_key.original.endswith(b"</item>")
    assert bad_date.original.startswith(b"<item>\n      <title>Fecha rara</title>")


def test_snapshots_are_listed_in_date_order_across_sources(drop_folder) -> None:
    """Within one landing, an item's newer snapshot is read after its older one, whatever the sources' names."""
    folder, settings = drop_folder
    (folder / "web").mkdir()
    feed = b'<rss version="2.0"><channel><title>t</title></channel></rss>'
    for name in ("zeta-blog_2026-08-01.xml", "alerts_2026-08-02.xml", "alerts_2026-08-01.xml"):
        (folder / "web" / name).write_bytes(feed)

    listed = [path.name for path in web.CHANNEL.folder.files(folder / "web")]

    assert listed == ["alerts_2026-08-01.xml", "zeta-blog_2026-08-01.xml", "alerts_2026-08-02.xml"]


def test_an_item_without_any_date_is_quarantined(drop_folder) -> None:
    folder, settings = drop_folder
    (folder / "web").mkdir()
    (folder / "web" / "blog_2026-08-01.xml").write_bytes(
        b'<rss version="2.0"><channel><title>t</title><item><link>https://x.example/1</link></item></channel></rss>'
    )

    (rejected,) = read_after(web.CHANNEL, None, settings).rejected

    assert rejected.reason == "item has no published or updated date"
    assert rejected.original == b"<item><link>https://x.example/1</link></item>"


def test_item_spans_cover_empty_elements_and_prefixed_names() -> None:
    data = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:a="http://www.w3.org/2005/Atom">'
        b"<a:entry><a:id>1</a:id></a:entry ><entry/></feed>"
    )

    spans, reason = web.item_spans(data)

    assert reason is None
    assert [data[start:end] for start, end in spans] == [b"<a:entry><a:id>1</a:id></a:entry >", b"<entry/>"]


def test_truncated_and_broken_xml_are_told_apart() -> None:
    assert web.item_spans(b"<rss><channel><item>x</item><ite")[1].startswith("truncated XML: ")
    assert web.item_spans(b"<rss><channel></chanel></rss>")[1].startswith("not well-formed XML: mismatched tag")


def test_a_snapshot_too_large_to_parse_whole_is_quarantined_whole_unparsed(drop_folder, monkeypatch) -> None:
    """feedparser reads a document whole, so a snapshot above the limit (64 MiB; lowered here to keep the test small)
    is kept whole with its size instead of being parsed."""
    folder, settings = drop_folder
    (folder / "web").mkdir()
    feed = b'<rss version="2.0"><channel><title>t</title>' + b"<item><guid>x</guid></item>" * 40 + b"</channel></rss>"
    (folder / "web" / "alerts_2026-08-01.xml").write_bytes(feed)
    monkeypatch.setattr(web, "MAX_SNAPSHOT_BYTES", 1000)

    page = read_after(web.CHANNEL, None, settings)

    assert page.records == []
    (rejected,) = page.rejected
    assert rejected.source_ref == "web/alerts_2026-08-01.xml" and rejected.original == feed
    assert rejected.reason == f"feed snapshot of {len(feed):,} bytes is larger than the 1,000 bytes a feed is read whole at"
