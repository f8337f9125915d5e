"""Local HTTP servers that behave like the live sources, for the live channel tests: the X API v2 (the documented
JSON shapes, pagination, `since_id`, the fields asked for, rate-limit headers) and web feeds (ETag, Last-Modified,
304). Faults are queued per request: 429 with or without a reset time, 503, truncated JSON, a page repeating
items, a dropped connection. Each server records what it served, which is the tests' ground truth."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

Reply = tuple[int, dict[str, str], bytes]


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 answering with ``handle(method, path, query, headers) -> Reply``."""

    def __init__(self, handle: Callable[[str, str, dict[str, str], dict[str, str]], Reply | None]) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
                outer.requests.append((parts.path, query, dict(self.headers)))
                reply = handle("GET", parts.path, query, {key.lower(): value for key, value in self.headers.items()})
                if reply is None:  # a dropped connection
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                status, headers, body = reply
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.requests: list[tuple[str, dict[str, str], dict[str, str]]] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --- the X API v2 ---------------------------------------------------------------------------------------------------

BRAND_ID = "1500000000000000001"
DEFAULT_TWEET_FIELDS = {"id", "text", "edit_history_tweet_ids"}
DEFAULT_USER_FIELDS = {"id", "name", "username"}


@dataclass
class FakeX:
    """The X API v2 for one brand account: mentions, the account's tweets, recent search."""

    token: str
    mentions: list[dict] = field(default_factory=list)
    timeline: list[dict] = field(default_factory=list)
    search: list[dict] = field(default_factory=list)
    users: dict[str, dict] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)  # consumed one per request: "429", "429-bare", "503", ...
    served_tweets: dict[str, list[str]] = field(default_factory=dict)  # stream -> tweet ids served, in order
    served_users: set[str] = field(default_factory=set)
    next_id: int = 1600000000000000000

    def add(self, stream: str, count: int, *, authors: list[str], start: datetime) -> list[dict]:
        """``count`` new tweets in a stream, each later than the last (ids grow with time, as X's do)."""
        tweets = []
        for index in range(count):
            self.next_id += 1000 + index
            author = authors[index % len(authors)]
            self.users.setdefault(
                author,
                {
                    "id": author,
                    "name": f"Cliente {author[-4:]}",
                    "username": f"cliente{author[-4:]}",
                    "verified": False,
                    "public_metrics": {"followers_count": index},
                },
            )
            tweet = {
                "id": str(self.next_id),
                "text": f"@AlbaConnect tweet {self.next_id}",
                "edit_history_tweet_ids": [str(self.next_id)],
                "created_at": (start + timedelta(minutes=index)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "author_id": author if stream != "timeline" else BRAND_ID,
                "conversation_id": str(self.next_id),
                "lang": "es",
                "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": index, "quote_count": 0},
            }
            tweets.append(tweet)
        getattr(self, stream).extend(tweets)
        return tweets

    def handle(self, method: str, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply | None:
        if headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"Content-Type": "application/json"}, b'{"title": "Unauthorized", "status": 401}'
        fault = self.faults.pop(0) if self.faults else None
        if fault == "429":
            reset = int(time.time()) + 900
            return 429, {"x-rate-limit-reset": str(reset), "x-rate-limit-remaining": "0"}, b'{"title": "Too Many Requests"}'
        if fault == "429-soon":
            return 429, {"x-rate-limit-reset": str(int(time.time()) + 1)}, b'{"title": "Too Many Requests"}'
        if fault == "429-bare":
            return 429, {}, b'{"title": "Too Many Requests"}'
        if fault == "503":
            return 503, {"Content-Type": "application/json"}, b'{"title": "Service Unavailable"}'
        if fault == "drop":
            return None
        if path == f"/2/users/{BRAND_ID}/mentions":
            stream, token_name = "mentions", "pagination_token"
        elif path == f"/2/users/{BRAND_ID}/tweets":
            stream, token_name = "timeline", "pagination_token"
        elif path == "/2/tweets/search/recent" and query.get("query"):
            stream, token_name = "search", "next_token"
        else:
            return 404, {}, b'{"title": "Not Found"}'
        body = self._page(stream, query, token_name, repeat=fault == "repeat")
        if fault == "truncated":
            body = body[: len(body) // 2]
        return 200, {"Content-Type": "application/json", "x-rate-limit-remaining": "100"}, body

    def _page(self, stream: str, query: dict[str, str], token_name: str, *, repeat: bool) -> bytes:
        newest_first = sorted(getattr(self, stream), key=lambda tweet: int(tweet["id"]), reverse=True)
        since = int(query.get("since_id", "0"))
        below = int(query[token_name].removeprefix("below-")) if query.get(token_name) else None
        candidates = [t for t in newest_first if int(t["id"]) > since and (below is None or int(t["id"]) < below)]
        size = int(query.get("max_results", "10"))
        page = candidates[:size]
        if repeat and below is not None:  # the page starts again with the last item of the page before
            page = [t for t in newest_first if int(t["id"]) == below] + candidates[: size - 1]
        fields = DEFAULT_TWEET_FIELDS | set(filter(None, query.get("tweet.fields", "").split(",")))
        user_fields = DEFAULT_USER_FIELDS | set(filter(None, query.get("user.fields", "").split(",")))
        data = [{key: value for key, value in tweet.items() if key in fields} for tweet in page]
        document: dict = {"meta": {"result_count": len(data)}}
        if data:
            document["data"] = data
            document["meta"] |= {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"]}
            self.served_tweets.setdefault(stream, []).extend(tweet["id"] for tweet in page)
            if "author_id" in query.get("expansions", ""):
                authors = list(dict.fromkeys(tweet["author_id"] for tweet in page))
                document["includes"] = {
                    "users": [{k: v for k, v in self.users[a].items() if k in user_fields} for a in authors if a in self.users]
                }
                self.served_users.update(a for a in authors if a in self.users)
        if page and any(int(t["id"]) < int(page[-1]["id"]) for t in candidates):
            document["meta"]["next_token"] = f"below-{page[-1]['id']}"
        return json.dumps(document).encode()


# --- web feeds ----------------------------------------------------------------------------------------------------


@dataclass
class FakeFeeds:
    """RSS feeds by path, with an ETag and Last-Modified per version; faults consumed one per request."""

    feeds: dict[str, bytes] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)
    served: list[tuple[str, int]] = field(default_factory=list)  # (path, status) of every answer

    def publish(self, path: str, content: bytes) -> None:
        self.feeds[path] = content
        self.versions[path] = self.versions.get(path, 0) + 1

    def handle(self, method: str, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply | None:
        fault = self.faults.pop(0) if self.faults else None
        if fault in ("503", "429"):
            self.served.append((path, int(fault)))
            return int(fault), {}, b"busy"
        if fault == "drop":
            return None
        if fault == "slow":
            time.sleep(1.0)
        if path.startswith("/moved/"):
            self.served.append((path, 301))
            return 301, {"Location": path.removeprefix("/moved")}, b""
        if path not in self.feeds:
            self.served.append((path, 404))
            return 404, {}, b"not found"
        etag = f'"v{self.versions[path]}"'
        modified = (datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=self.versions[path])).strftime(
            "%a, %d %b %Y %H:%M:%S GMT"
        )
        if headers.get("if-none-match") == etag:
            self.served.append((path, 304))
            return 304, {"ETag": etag}, b""
        self.served.append((path, 200))
        return 200, {"ETag": etag, "Last-Modified": modified, "Content-Type": "application/rss+xml"}, self.feeds[path]


def rss(items: list[tuple[str, str, str]], title: str = "Blog") -> bytes:
    """An RSS 2.0 feed of (guid, author, published as RFC 822) items."""
    body = "".join(
        f"<item><guid>{guid}</guid><link>https://blog.example/{guid}</link><title>Post {guid}</title>"
        f"<author>{author}</author><pubDate>{published}</pubDate><description>Sobre Alba Connect</description></item>"
        for guid, author, published in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://blog.example/</link><description>d</description>{body}</channel></rss>\n"
    ).encode()


# --- the Graph API ----------------------------------------------------------------------------------------------

PAGE_ID = "104000000000001"
COMMENTS_PER_PAGE = 3  # the nested thread is paged this small so that the client must complete it


@dataclass
class FakeGraph:
    """The Graph API's page feed: posts newest first, nested comment threads paged, cursors, usage headers."""

    token: str
    posts: list[dict] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    served_posts: list[str] = field(default_factory=list)  # post ids, in the order served
    usage: int = 10

    def add_post(self, created: datetime, comments: int = 0) -> dict:
        number = len(self.posts) + 1
        post = {
            "id": f"{PAGE_ID}_{900000 + number}",
            "message": f"Aviso {number}",
            "created_time": created.strftime("%Y-%m-%dT%H:%M:%S+0000"),
            "from": {"id": PAGE_ID, "name": "Alba Connect"},
            "comments": [],
        }
        self.posts.append(post)
        for _ in range(comments):
            self.comment(post, created + timedelta(minutes=5))
        return post

    def comment(self, post: dict, created: datetime) -> None:
        number = len(post["comments"]) + 1
        post["comments"].append(
            {
                "id": f"{post['id'].split('_')[1]}_{number:06d}",
                "message": f"Comentario {number}",
                "created_time": created.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                "from": {"id": str(3000000000000000 + number), "name": f"Persona {number}"},
            }
        )

    def handle(self, method: str, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply | None:
        usage = {"x-app-usage": json.dumps({"call_count": self.usage, "total_cputime": 1, "total_time": 1})}
        if "access_token" in query:
            return 400, {}, b'{"error": {"message": "token in the URL", "code": 100}}'
        if headers.get("authorization") != f"Bearer {self.token}":
            return (
                400,
                {},
                json.dumps({"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}).encode(),
            )
        fault = self.faults.pop(0) if self.faults else None
        if fault == "rate-4":  # the app's limit, no estimate: back off
            return 400, {"x-app-usage": '{"call_count": 100}'}, b'{"error": {"message": "limit", "code": 4}}'
        if fault in ("rate-32-far", "rate-17-soon"):
            minutes = 60 if fault == "rate-32-far" else 0
            buc = {PAGE_ID: [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": minutes}]}
            code = 32 if fault == "rate-32-far" else 17
            return 403, {"x-business-use-case-usage": json.dumps(buc)}, json.dumps({"error": {"code": code}}).encode()
        if fault == "500":
            return 500, {}, b'{"error": {"message": "An unexpected error has occurred.", "code": 1, "is_transient": true}}'
        parts = path.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "v21.0":
            return 404, {}, b'{"error": {"code": 803}}'
        if parts[1:] == [PAGE_ID, "feed"]:
            body = self._feed(query)
        elif parts[2] == "comments":
            body = self._comments(parts[1], query)
        else:
            return 404, {}, b'{"error": {"code": 803}}'
        if fault == "truncated":
            body = body[: len(body) // 2]
        return 200, {"Content-Type": "application/json", **usage}, body

    def _thread(self, post: dict, after: int) -> dict:
        chunk = post["comments"][after : after + COMMENTS_PER_PAGE]
        thread: dict = {"data": chunk}
        if after + COMMENTS_PER_PAGE < len(post["comments"]):
            cursor = str(after + COMMENTS_PER_PAGE)
            thread["paging"] = {
                "cursors": {"after": cursor},
                "next": f"https://graph.example/{post['id']}/comments?after={cursor}",
            }
        return thread

    def _feed(self, query: dict[str, str]) -> bytes:
        newest_first = sorted(self.posts, key=lambda post: post["created_time"], reverse=True)
        since = int(query.get("since", "0"))
        chosen = [
            post for post in newest_first if datetime.strptime(post["created_time"], "%Y-%m-%dT%H:%M:%S%z").timestamp() >= since
        ]
        start = int(query.get("after", "0"))
        limit = int(query.get("limit", "25"))
        page = chosen[start : start + limit]
        self.served_posts.extend(post["id"] for post in page)
        data = [
            {key: value for key, value in post.items() if key != "comments"} | {"comments": self._thread(post, 0)}
            for post in page
        ]
        document: dict = {"data": data}
        if start + limit < len(chosen):
            document["paging"] = {"cursors": {"after": str(start + limit)}, "next": "https://graph.example/next"}
        return json.dumps(document).encode()

    def _comments(self, post_id: str, query: dict[str, str]) -> bytes:
        (post,) = [post for post in self.posts if post["id"] == post_id]
        return json.dumps(self._thread(post, int(query.get("after", "0")))).encode()
