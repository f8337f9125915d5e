"""Reading a channel's drop folder file by file, as the channel tests look at it (the landing reads it the same way)."""

from __future__ import annotations

from voc.channels.base import Channel, Page, RawRecord
from voc.settings import Settings


def read_file(channel: Channel, settings: Settings, relative: str) -> Page:
    """One file of the channel's drop folder, read whole into a page (records and rejected units, in file order)."""
    page = Page(cursor=relative)
    root = settings.channel_dir(channel.name)
    for unit in channel.folder.read(root / relative, f"{channel.name}/{relative}"):
        (page.records if isinstance(unit, RawRecord) else page.rejected).append(unit)
    return page


def read_folder(channel: Channel, settings: Settings) -> list[Page]:
    """Every file of the channel's drop folder in delivery order, each read into a page."""
    root = settings.channel_dir(channel.name)
    return [read_file(channel, settings, path.relative_to(root).as_posix()) for path in channel.folder.files(root)]


def read_after(channel: Channel, cursor: str | None, settings: Settings) -> Page:
    """The first file in delivery order after ``cursor`` (the first of all without one), read into a page."""
    pages = read_folder(channel, settings)
    names = [page.cursor for page in pages]
    return pages[0 if cursor is None else names.index(cursor) + 1]
