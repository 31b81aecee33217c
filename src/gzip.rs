//! A gzip writer whose compression level can change between files: text is
//! deflated fast (ISA-L's igzip, `deflate`), already-compressed media goes
//! in stored blocks (copying at memory speed instead of deflating data that
//! will not shrink). The output is one ordinary gzip member (RFC 1952)
//! every runtime reads; the header is fixed (mtime 0, OS 255) so equal
//! input gives equal bytes.

use std::io::{self, Write};

use flate2::Compression;

use crate::deflate::{Deflater, Flush};

/// The fixed 10-byte header: magic, deflate, no flags, mtime 0, no extra
/// flags, OS "unknown".
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];

pub struct GzipWriter<W: Write> {
    out: W,
    deflate: Deflater,
    /// Stored mode: bytes waiting to fill a stored block.
    stored: Option<Vec<u8>>,
    crc: crc32fast::Hasher,
    size: u32,
    buf: Vec<u8>,
}

/// The largest stored block deflate allows.
const STORED_MAX: usize = 65_535;

impl<W: Write> GzipWriter<W> {
    pub fn new(mut out: W, level: Compression) -> io::Result<Self> {
        out.write_all(&HEADER)?;
        let mut w = GzipWriter {
            out,
            // Raw deflate: the gzip framing is ours.
            deflate: Deflater::new(),
            stored: None,
            crc: crc32fast::Hasher::new(),
            size: 0,
            buf: Vec::with_capacity(256 << 10),
        };
        w.set_level(level)?;
        Ok(w)
    }

    /// `Compression::none()` switches to stored blocks; anything else to fast
    /// deflate. Switching is cheap: a sync flush (byte alignment) one way, a
    /// deflater reset the other. A reset deflater only refers back to bytes
    /// it wrote itself, which the decoder holds at the same distances, so the
    /// member stays one valid deflate stream.
    pub fn set_level(&mut self, level: Compression) -> io::Result<()> {
        let want_stored = level == Compression::none();
        match (&self.stored, want_stored) {
            (None, true) => {
                self.run(&[], Flush::Sync)?;
                self.stored = Some(Vec::with_capacity(STORED_MAX));
            }
            (Some(_), false) => {
                self.emit_stored(true)?;
                self.stored = None;
                self.deflate.reset();
            }
            _ => {}
        }
        Ok(())
    }

    /// Writes full stored blocks (all pending bytes when `all`), never final.
    fn emit_stored(&mut self, all: bool) -> io::Result<()> {
        let Some(pending) = self.stored.as_mut() else { return Ok(()) };
        let mut start = 0;
        while pending.len() - start >= STORED_MAX || (all && start < pending.len()) {
            let len = (pending.len() - start).min(STORED_MAX) as u16;
            // BFINAL=0, BTYPE=00, padded to the byte boundary we are on.
            self.out.write_all(&[0])?;
            self.out.write_all(&len.to_le_bytes())?;
            self.out.write_all(&(!len).to_le_bytes())?;
            self.out.write_all(&pending[start..start + len as usize])?;
            start += len as usize;
        }
        pending.drain(..start);
        Ok(())
    }

    /// Feeds `input` to the deflater; with a flush, until it is complete
    /// (all input taken and room left over in the output buffer).
    fn run(&mut self, mut input: &[u8], flush: Flush) -> io::Result<()> {
        loop {
            self.buf.clear();
            let taken = self.deflate.deflate(input, &mut self.buf, flush)?;
            input = &input[taken..];
            self.out.write_all(&self.buf)?;
            if input.is_empty() && self.buf.len() < self.buf.capacity() {
                return Ok(());
            }
        }
    }

    /// Ends the deflate stream and writes the trailer; returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        if self.stored.is_some() {
            self.emit_stored(true)?;
            // An empty final stored block ends the stream.
            self.out.write_all(&[1, 0, 0, 0xff, 0xff])?;
        } else {
            self.run(&[], Flush::Finish)?;
        }
        let crc = std::mem::take(&mut self.crc).finalize();
        self.out.write_all(&crc.to_le_bytes())?;
        self.out.write_all(&self.size.to_le_bytes())?;
        Ok(self.out)
    }
}

impl<W: Write> Write for GzipWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.crc.update(data);
        // ISIZE is the length modulo 2^32, per RFC 1952.
        self.size = self.size.wrapping_add(data.len() as u32);
        match self.stored.as_mut() {
            Some(pending) => {
                pending.extend_from_slice(data);
                self.emit_stored(false)?;
            }
            None => self.run(data, Flush::None)?,
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn output_is_plain_gzip_across_level_changes() {
        let text = b"<p>coffee</p>\n".repeat(5000);
        let noise: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
        let mut w = GzipWriter::new(Vec::new(), Compression::fast()).unwrap();
        w.write_all(&text).unwrap();
        w.set_level(Compression::none()).unwrap();
        w.write_all(&noise).unwrap();
        w.set_level(Compression::fast()).unwrap();
        w.write_all(&text).unwrap();
        let gz = w.finish().unwrap();
        let mut want = text.clone();
        want.extend_from_slice(&noise);
        want.extend_from_slice(&text);
        assert_eq!(gunzip(&gz), want);
        assert_eq!(&gz[..10], &HEADER);
        // Stored noise costs its own size plus block headers; text shrinks.
        assert!(gz.len() < noise.len() + 2 * text.len() / 10, "{}", gz.len());
        // The system gzip agrees.
        let mut child =
            std::process::Command::new("gzip").args(["-t"]).stdin(std::process::Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(&gz).unwrap();
        assert!(child.wait().unwrap().success());
    }

    #[test]
    fn empty_input_is_a_valid_member_in_either_mode() {
        for level in [Compression::fast(), Compression::none()] {
            let gz = GzipWriter::new(Vec::new(), level).unwrap().finish().unwrap();
            assert!(gunzip(&gz).is_empty());
        }
    }

    #[test]
    fn starting_and_ending_stored_with_large_writes() {
        let noise: Vec<u8> = (0..300_000u32).map(|i| (i.wrapping_mul(2654435761) >> 7) as u8).collect();
        let mut w = GzipWriter::new(Vec::new(), Compression::none()).unwrap();
        w.write_all(&noise).unwrap();
        w.set_level(Compression::fast()).unwrap();
        w.write_all(b"abcabcabcabc").unwrap();
        w.set_level(Compression::none()).unwrap();
        w.write_all(&noise[..1000]).unwrap();
        let gz = w.finish().unwrap();
        let mut want = noise.clone();
        want.extend_from_slice(b"abcabcabcabc");
        want.extend_from_slice(&noise[..1000]);
        assert_eq!(gunzip(&gz), want);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn any_mix_of_levels_and_writes_round_trips(
            parts in proptest::collection::vec((proptest::bool::ANY, proptest::collection::vec(0u8..4, 0..70_000)), 0..12)
        ) {
            let mut w = GzipWriter::new(Vec::new(), Compression::fast()).unwrap();
            let mut want = Vec::new();
            for (stored, bytes) in &parts {
                w.set_level(if *stored { Compression::none() } else { Compression::fast() }).unwrap();
                w.write_all(bytes).unwrap();
                want.extend_from_slice(bytes);
            }
            let gz = w.finish().unwrap();
            proptest::prop_assert_eq!(gunzip(&gz), want);
        }
    }
}
