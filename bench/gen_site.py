#!/usr/bin/env python3
"""Deterministic test sites for the sitepack benchmark.

    gen_site.py SIZE OUTDIR        write OUTDIR/site/bench/... and OUTDIR/users/htpasswd
    gen_site.py --edit SITE N      rewrite one HTML page of SITE (same byte length,
                                   content derived from N: a new N gives new bytes)
    gen_site.py --stats DIR        print file count and bytes of a tree
    gen_site.py --plan             print what each size holds, without writing

SIZE is small (103 files, ~0.95 MB), medium (5,003 files, ~53 MB, a fifth of
the files and of the bytes media) or large (20,003 files, ~512 MB, mostly
media by bytes). Text (HTML pages with lorem-like words, CSS, JS) compresses
like real text; images (.jpg/.png/.webp) and videos (.mp4) are random bytes,
incompressible like real media. Everything comes from one
random.Random(20261126) consumed in a fixed order: the same SIZE gives
byte-identical trees.
"""

import os
import random
import shutil
import sys

SEED = 20261126
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HTPASSWD = os.path.join(ROOT, "examples", "coffeefans", "users", "htpasswd")

# kind -> (number of files, mean size in bytes); sizes are drawn uniformly in
# [mean/2, 3*mean/2]. Three fixed files (index.html, site.css, site.js) come on top.
SIZES = {
    "small": {
        "page": (70, 5_000),
        "css": (5, 4_000),
        "js": (5, 6_000),
        "img": (20, 26_500),
        "video": (0, 0),
    },
    "medium": {
        "page": (3_600, 10_650),
        "css": (200, 9_000),
        "js": (200, 11_000),
        "img": (990, 10_000),
        "video": (10, 70_000),
    },
    "large": {
        "page": (14_000, 8_000),
        "css": (500, 8_000),
        "js": (500, 8_000),
        "img": (4_900, 69_000),
        "video": (100, 490_000),
    },
}

PER_DIR = 100  # pages and images per folder
IMG_EXT = ("jpg", "png", "webp")
EDIT_PAGE = os.path.join("bench", "pages", "00", "page-00001.html")


def vocabulary(rng):
    """A fixed lorem-like vocabulary of 400 words."""
    syll = ["lo", "rem", "ip", "sum", "do", "lor", "sit", "a", "met", "con", "sec", "te", "tur",
            "ad", "pi", "sci", "ng", "el", "it", "sed", "eius", "mod", "tem", "por", "in", "ci",
            "di", "dunt", "ut", "la", "bo", "re", "et", "ma", "gna", "ali", "qua", "en", "im"]
    words = set()
    while len(words) < 400:
        words.add("".join(rng.choice(syll) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def words_text(rng, vocab, nbytes):
    """About nbytes of space-separated words, in sentences."""
    out = []
    size = 0
    while size < nbytes:
        sentence = rng.choices(vocab, k=rng.randint(6, 18))
        s = " ".join(sentence).capitalize() + ". "
        out.append(s)
        size += len(s)
    return "".join(out)


def html_page(rng, vocab, title, size):
    head = (f"<!DOCTYPE html>\n<html lang=\"la\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{title}</title>\n<link rel=\"stylesheet\" href=\"/bench/assets/css/site.css\">\n"
            f"<script src=\"/bench/assets/js/site.js\" defer></script>\n</head>\n<body>\n"
            f"<h1>{title}</h1>\n")
    tail = "\n</body>\n</html>\n"
    body_bytes = max(0, size - len(head) - len(tail))
    paras = []
    n = 0
    while n < body_bytes:
        p = "<p>" + words_text(rng, vocab, rng.randint(300, 900)).strip() + "</p>\n"
        paras.append(p)
        n += len(p)
    body = "".join(paras)[:body_bytes]
    return (head + body + tail).encode("ascii")


def css_text(rng, size):
    out = []
    n = 0
    while n < size:
        r = (f".c{rng.randrange(100000)} {{ color: #{rng.randrange(1 << 24):06x}; "
             f"margin: {rng.randrange(32)}px {rng.randrange(32)}px; "
             f"font-size: {rng.randrange(10, 40)}px; }}\n")
        out.append(r)
        n += len(r)
    return "".join(out)[:size].encode("ascii")


def js_text(rng, size):
    out = []
    n = 0
    while n < size:
        r = (f"function f{rng.randrange(100000)}(a, b) {{\n  const k = {rng.randrange(1000)};\n"
             f"  return a * k + b - {rng.randrange(1000)};\n}}\n")
        out.append(r)
        n += len(r)
    return "".join(out)[:size].encode("ascii")


def draw_size(rng, mean):
    return rng.randint(mean // 2, mean + mean // 2)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def plan(size_name, rng):
    """Every file of the site as (path under site/, kind, size), drawn first."""
    spec = SIZES[size_name]
    files = [
        (os.path.join("bench", "index.html"), "page", 3_000),
        (os.path.join("bench", "assets", "css", "site.css"), "css", 2_000),
        (os.path.join("bench", "assets", "js", "site.js"), "js", 2_000),
    ]
    count, mean = spec["page"]
    for i in range(count):
        files.append((os.path.join("bench", "pages", f"{i // PER_DIR:02d}", f"page-{i:05d}.html"), "page",
                      draw_size(rng, mean)))
    count, mean = spec["css"]
    for i in range(count):
        files.append((os.path.join("bench", "assets", "css", f"style-{i:04d}.css"), "css", draw_size(rng, mean)))
    count, mean = spec["js"]
    for i in range(count):
        files.append((os.path.join("bench", "assets", "js", f"app-{i:04d}.js"), "js", draw_size(rng, mean)))
    count, mean = spec["img"]
    for i in range(count):
        ext = IMG_EXT[i % len(IMG_EXT)]
        files.append((os.path.join("bench", "media", "img", f"{i // PER_DIR:02d}", f"img-{i:05d}.{ext}"), "media",
                      draw_size(rng, mean)))
    count, mean = spec["video"]
    for i in range(count):
        files.append((os.path.join("bench", "media", "video", f"clip-{i:03d}.mp4"), "media", draw_size(rng, mean)))
    return files


def generate(size_name, outdir):
    rng = random.Random(SEED)
    vocab = vocabulary(rng)
    files = plan(size_name, rng)
    site = os.path.join(outdir, "site")
    if os.path.exists(site):
        shutil.rmtree(site)
    for rel, kind, size in files:
        if kind == "page":
            title = os.path.splitext(os.path.basename(rel))[0].replace("-", " ").capitalize()
            data = html_page(rng, vocab, title, size)
        elif kind == "css":
            data = css_text(rng, size)
        elif kind == "js":
            data = js_text(rng, size)
        else:
            data = rng.randbytes(size)
        write(os.path.join(site, rel), data)

    users = os.path.join(outdir, "users")
    os.makedirs(users, exist_ok=True)
    shutil.copyfile(HTPASSWD, os.path.join(users, "htpasswd"))
    os.chmod(os.path.join(users, "htpasswd"), 0o644)


def describe(size_name):
    rng = random.Random(SEED)
    vocabulary(rng)
    files = plan(size_name, rng)
    total = sum(f[2] for f in files)
    media = [f for f in files if f[1] == "media"]
    mbytes = sum(f[2] for f in media)
    return (f"{size_name}: {len(files)} files, {total} bytes ({total / 1e6:.2f} MB); "
            f"media {len(media)} files ({len(media) / len(files):.0%}), {mbytes / 1e6:.1f} MB ({mbytes / total:.0%} of bytes)")


def edit(site, n):
    """Rewrite one page with new words, keeping its exact byte length."""
    path = os.path.join(site, EDIT_PAGE)
    size = os.path.getsize(path)
    rng = random.Random(f"{SEED}-edit-{n}")
    vocab = vocabulary(random.Random(SEED))
    data = html_page(rng, vocab, f"Page 1, edit {n}", size)
    assert len(data) == size, (len(data), size)
    with open(path, "r+b") as f:
        f.write(data)
    print(path)


def stats(top):
    files = 0
    total = 0
    for dirpath, _dirs, names in os.walk(top):
        for name in names:
            files += 1
            total += os.lstat(os.path.join(dirpath, name)).st_size
    return files, total


def main(argv):
    if len(argv) == 3 and argv[0] == "--edit":
        edit(argv[1], int(argv[2]))
    elif len(argv) == 1 and argv[0] == "--plan":
        for name in SIZES:
            print(describe(name))
    elif len(argv) == 2 and argv[0] == "--stats":
        files, total = stats(argv[1])
        print(f"{files} {total}")
    elif len(argv) == 2 and argv[0] in SIZES:
        generate(argv[0], argv[1])
        files, total = stats(os.path.join(argv[1], "site"))
        print(f"{argv[0]}: {files} files, {total} bytes ({total / 1e6:.2f} MB) in {argv[1]}/site",
              file=sys.stderr)
    else:
        sys.exit(__doc__.strip() + "\n\nusage: gen_site.py small|medium|large OUTDIR | --edit SITE N | --stats DIR | --plan")


if __name__ == "__main__":
    main(sys.argv[1:])
