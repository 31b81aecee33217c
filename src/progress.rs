//! Upload progress for people at a terminal: a byte counter bar on stderr.
//! When stderr is not a terminal (CodeBuild, CI, pipes) it draws nothing, so
//! logs stay one readable line per phase.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Clone)]
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar when stderr is a terminal; otherwise a no-op.
    pub fn for_uploads() -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("pushing {bar:30} {bytes}/{total_bytes} {bytes_per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Progress(Some(bar))
    }

    pub fn hidden() -> Progress {
        Progress(None)
    }

    /// A blob of `bytes` is about to be sent.
    pub fn expect(&self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.inc_length(bytes);
        }
    }

    pub fn sent(&self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(bytes);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
