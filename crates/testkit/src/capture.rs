//! Capturing every trace event (and `log` record) of a test binary as text,
//! for tests that search the output for leaked secrets.
//!
//! The subscriber is global, so a test binary that uses this holds one such
//! test (put it in its own `tests/NAME.rs`).
//!
//! ```no_run
//! let capture = weir_testkit::capture::TraceCapture::install();
//! tracing::info!("hello");
//! assert!(capture.text().contains("hello"));
//! ```

// A test helper fails the calling test when it cannot do its job.
#![allow(clippy::expect_used)]

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Everything written by the global TRACE-level subscriber, without colours.
#[derive(Clone, Debug, Default)]
pub struct TraceCapture(Arc<Mutex<Vec<u8>>>);

impl TraceCapture {
    /// Installs a global `fmt` subscriber at TRACE level writing into the
    /// returned capture; `log` records are forwarded to it too.
    ///
    /// # Panics
    ///
    /// When a global subscriber (or `log` logger) is already installed.
    pub fn install() -> TraceCapture {
        let capture = TraceCapture::default();
        let writer = capture.clone();
        tracing_subscriber::fmt()
            .with_max_level(LevelFilter::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish()
            .try_init()
            .expect("the only global subscriber in this test binary");
        capture
    }

    /// The text captured so far (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for TraceCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
