//! Raw deflate through ISA-L's igzip (level 1), the one place sitepack calls C.
//!
//! Text is most of what sitepack compresses, and here igzip level 1 deflates
//! the medium benchmark site's pages (45.7 MB) in 66 ms to 13.6 MB, where
//! zlib-rs level 1 took 136 ms and gave 18.5 MB (`cargo bench --bench
//! deflate`, results in bench/README.md). The
//! output is plain deflate, and it is the same bytes on every x86-64 CPU
//! with SSE4.2, whichever of igzip's SSE, AVX2 or AVX-512 kernels runs
//! (tests/cpu_determinism.rs runs the build under qemu as older CPUs);
//! only CPUs without SSE4.2 (before 2008) take igzip's C path and get
//! other, equally valid, bytes.
//!
//! The unsafe code is confined to this file: a boxed `isal_zstream` that
//! never moves, its level buffer owned alongside it, and input and output
//! pointers that are set from live slices just before each call and cleared
//! after it.
#![allow(unsafe_code)]

use std::io;

use isal_sys::igzip_lib as isal;

/// What a call does once the input is taken.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Flush {
    /// Keep what the compressor holds for later.
    None,
    /// Emit everything so far and align to a byte (an empty stored block).
    Sync,
    /// Emit everything and end the deflate stream (the final block).
    Finish,
}

pub struct Deflater {
    // Boxed so its address stays fixed: igzip keeps its state inside it.
    stream: Box<isal::isal_zstream>,
    // igzip's hash tables for level 1; `stream.level_buf` points here.
    _level_buf: Box<[u8]>,
}

// SAFETY: the stream's pointers lead only to `_level_buf` (owned with it) and
// to igzip's static Huffman tables; input and output pointers are cleared
// after each call. Nothing ties the state to a thread.
unsafe impl Send for Deflater {}

impl Deflater {
    pub fn new() -> Self {
        // SAFETY: isal_zstream is plain data (integers and raw pointers), for
        // which all-zero is a valid value; isal_deflate_init then fills it.
        let mut stream: Box<isal::isal_zstream> = Box::new(unsafe { std::mem::zeroed() });
        unsafe { isal::isal_deflate_init(&mut *stream) };
        let mut level_buf = vec![0u8; isal::ISAL_DEF_LVL1_DEFAULT as usize].into_boxed_slice();
        stream.level = 1;
        stream.level_buf = level_buf.as_mut_ptr();
        stream.level_buf_size = level_buf.len() as u32;
        stream.gzip_flag = isal::IGZIP_DEFLATE as u16;
        Deflater { stream, _level_buf: level_buf }
    }

    /// Compresses from `input` into the spare capacity of `out` (never
    /// beyond it) and returns how many input bytes were taken. The flush
    /// is complete once all input is taken and `out` is not full.
    pub fn deflate(&mut self, input: &[u8], out: &mut Vec<u8>, flush: Flush) -> io::Result<usize> {
        // igzip counts in u32; a longer input is taken over several calls.
        let take = input.len().min(u32::MAX as usize);
        let room = (out.capacity() - out.len()).min(u32::MAX as usize);
        let s = &mut *self.stream;
        // igzip only reads through next_in; the C API is not const-correct.
        s.next_in = input.as_ptr().cast_mut();
        s.avail_in = take as u32;
        s.next_out = out.spare_capacity_mut().as_mut_ptr().cast();
        s.avail_out = room as u32;
        s.flush = match flush {
            Flush::None => isal::NO_FLUSH,
            Flush::Sync | Flush::Finish => isal::SYNC_FLUSH,
        } as u16;
        s.end_of_stream = u16::from(flush == Flush::Finish && take == input.len());
        // SAFETY: next_in/avail_in describe `input` and next_out/avail_out the
        // spare capacity of `out`, both alive for this call; igzip writes no
        // more than avail_out bytes.
        let code = unsafe { isal::isal_deflate(s) };
        let written = room - s.avail_out as usize;
        let taken = take - s.avail_in as usize;
        s.next_in = std::ptr::null_mut();
        s.next_out = std::ptr::null_mut();
        s.avail_in = 0;
        s.avail_out = 0;
        if code != isal::COMP_OK as i32 {
            return Err(io::Error::other(format!("igzip deflate failed (code {code})")));
        }
        // SAFETY: igzip initialised exactly `written` bytes of the spare capacity.
        unsafe { out.set_len(out.len() + written) };
        Ok(taken)
    }

    /// Starts a new deflate stream that refers to nothing written before.
    pub fn reset(&mut self) {
        // SAFETY: the stream was initialised in `new`; reset keeps the level
        // and its buffer.
        unsafe { isal::isal_deflate_reset(&mut *self.stream) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn inflate(raw: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(raw).read_to_end(&mut out).unwrap();
        out
    }

    /// Feeds `input` through an output buffer of 4 kB, so igzip runs out of
    /// room mid-block again and again, and appends what it wrote to `out`.
    fn run(d: &mut Deflater, mut input: &[u8], flush: Flush, out: &mut Vec<u8>) {
        let mut chunk = Vec::with_capacity(4096);
        loop {
            chunk.clear();
            let taken = d.deflate(input, &mut chunk, flush).unwrap();
            assert!(chunk.len() <= 4096, "never beyond the room given");
            out.extend_from_slice(&chunk);
            input = &input[taken..];
            if input.is_empty() && chunk.len() < chunk.capacity() {
                return;
            }
        }
    }

    #[test]
    fn round_trips_through_a_small_output_buffer() {
        let text: Vec<u8> = (0..300_000u32).flat_map(|i| format!("<p>{}</p>\n", i % 977).into_bytes()).collect();
        let mut d = Deflater::new();
        let mut out = Vec::new();
        run(&mut d, &text[..100_000], Flush::None, &mut out);
        run(&mut d, &text[100_000..], Flush::Finish, &mut out);
        assert_eq!(inflate(&out), text);
        assert!(out.len() < text.len() / 4, "text should shrink: {} of {}", out.len(), text.len());
    }

    #[test]
    fn a_sync_flush_ends_on_a_byte_with_an_empty_stored_block() {
        let mut d = Deflater::new();
        let mut out = Vec::new();
        run(&mut d, b"hello hello hello", Flush::Sync, &mut out);
        // The marker a sync flush leaves: an empty stored block, LEN 0, NLEN !0.
        assert_eq!(&out[out.len() - 4..], &[0, 0, 0xff, 0xff], "{out:02x?}");
        run(&mut d, b"", Flush::Finish, &mut out);
        assert_eq!(inflate(&out), b"hello hello hello");
    }
}
