//! Text compression alone, sitepack's gzip writer (ISA-L igzip level 1)
//! against flate2 on zlib-rs at level 1 (what sitepack used before) and 2,
//! on the pages of a site (media goes in stored blocks either way):
//!
//!   cargo bench --bench deflate [-- SITE_DIR]
//!
//! SITE_DIR defaults to the benchmark's medium site
//! (/var/tmp/sitepack-bench/sites/medium/site; `bash bench/run.sh` makes it).
//! Prints median, min and max of 7 runs, output size, and ratios.

// A report on stdout is what this program is for.
#![allow(clippy::print_stdout)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use flate2::Compression;
use sitepack::gzip::GzipWriter;

fn pages_tar(root: &Path) -> Vec<u8> {
    let mut files = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if !sitepack::site::precompressed(&path.to_string_lossy()) {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut tar = tar::Builder::new(Vec::new());
    for f in &files {
        tar.append_path_with_name(f, f.strip_prefix(root).unwrap()).unwrap();
    }
    tar.into_inner().unwrap()
}

fn time(runs: usize, mut f: impl FnMut() -> usize) -> (Vec<Duration>, usize) {
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..runs {
        let t = Instant::now();
        size = f();
        times.push(t.elapsed());
    }
    times.sort();
    (times, size)
}

fn main() {
    let site = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/sitepack-bench/sites/medium/site"));
    let tar = pages_tar(&site);
    let mb = tar.len() as f64 / 1e6;
    println!("pages of {}: {:.1} MB of tar", site.display(), mb);
    let cap = tar.len() / 2;
    let sitepack = time(7, || {
        let mut w = GzipWriter::new(Vec::with_capacity(cap), Compression::fast()).unwrap();
        w.write_all(&tar).unwrap();
        w.finish().unwrap().len()
    });
    let zlib = |level| {
        time(7, || {
            let mut w = flate2::write::GzEncoder::new(Vec::with_capacity(cap), Compression::new(level));
            w.write_all(&tar).unwrap();
            w.finish().unwrap().len()
        })
    };
    let rows = [("sitepack (igzip level 1)", sitepack), ("zlib-rs level 1", zlib(1)), ("zlib-rs level 2", zlib(2))];
    let base = rows[0].1 .0[3].as_secs_f64();
    println!("| compressor | median | min | max | MB/s | output | ratio of time |");
    println!("|---|---|---|---|---|---|---|");
    for (name, (t, size)) in &rows {
        let median = t[3].as_secs_f64();
        println!(
            "| {name} | {:.1} ms | {:.1} ms | {:.1} ms | {:.0} | {:.2} MB ({:.1} %) | {:.2}x |",
            median * 1e3,
            t[0].as_secs_f64() * 1e3,
            t[6].as_secs_f64() * 1e3,
            mb / median,
            *size as f64 / 1e6,
            *size as f64 / tar.len() as f64 * 100.0,
            median / base
        );
    }
}
