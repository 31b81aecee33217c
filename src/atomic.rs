//! Files that other programs read (deploy files, the base lock) are
//! written whole or not at all: a temporary file in the same folder,
//! synced, then renamed over the target.

use std::io::Write;
use std::path::Path;

/// On failure: what was being done (for the message) and the error.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), (&'static str, std::io::Error)> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // Same folder as the target, so the rename is atomic.
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| ("create a temporary file beside", e))?;
    tmp.write_all(bytes).map_err(|e| ("write", e))?;
    tmp.as_file().sync_all().map_err(|e| ("sync", e))?;
    tmp.persist(path).map_err(|e| ("rename into", e.error))?;
    Ok(())
}
