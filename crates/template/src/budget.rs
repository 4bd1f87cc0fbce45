//! Execution limits, so that hostile templates can neither hang nor exhaust memory.

use crate::error::ExecErrorKind;

/// Bounds on one execution. The defaults are far above what a commit message needs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest rendered output, and largest string any function may build (bytes).
    pub max_output_bytes: usize,
    /// Work units: one per evaluated node, range iteration, function call and printed value.
    pub max_steps: u64,
    /// Total bytes of text all functions and printing may produce over one execution.
    pub max_text_bytes: u64,
    /// Deepest nesting of control structures and `{{template}}` calls at run time.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_output_bytes: 1 << 20,
            max_steps: 1_000_000,
            max_text_bytes: 64 << 20,
            max_depth: 200,
        }
    }
}

impl Limits {
    /// Sets [`Limits::max_output_bytes`].
    pub fn with_max_output_bytes(mut self, n: usize) -> Self {
        self.max_output_bytes = n;
        self
    }

    /// Sets [`Limits::max_steps`].
    pub fn with_max_steps(mut self, n: u64) -> Self {
        self.max_steps = n;
        self
    }

    /// Sets [`Limits::max_text_bytes`].
    pub fn with_max_text_bytes(mut self, n: u64) -> Self {
        self.max_text_bytes = n;
        self
    }

    /// Sets [`Limits::max_depth`].
    pub fn with_max_depth(mut self, n: usize) -> Self {
        self.max_depth = n;
        self
    }
}

/// What is left of the limits during one execution.
#[derive(Debug)]
pub(crate) struct Budget {
    steps_left: u64,
    step_limit: u64,
    bytes_left: u64,
    byte_limit: u64,
    max_string: usize,
}

impl Budget {
    pub(crate) fn new(limits: &Limits) -> Budget {
        Budget {
            steps_left: limits.max_steps,
            step_limit: limits.max_steps,
            bytes_left: limits.max_text_bytes,
            byte_limit: limits.max_text_bytes,
            max_string: limits.max_output_bytes,
        }
    }

    pub(crate) fn step(&mut self) -> Result<(), ExecErrorKind> {
        if self.steps_left == 0 {
            return Err(ExecErrorKind::TooManySteps {
                limit: self.step_limit,
            });
        }
        self.steps_left -= 1;
        Ok(())
    }

    pub(crate) fn steps(&mut self, n: usize) -> Result<(), ExecErrorKind> {
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        if self.steps_left < n {
            self.steps_left = 0;
            return Err(ExecErrorKind::TooManySteps {
                limit: self.step_limit,
            });
        }
        self.steps_left -= n;
        Ok(())
    }

    pub(crate) fn charge_bytes(&mut self, n: usize) -> Result<(), ExecErrorKind> {
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        if self.bytes_left < n {
            self.bytes_left = 0;
            return Err(ExecErrorKind::TooMuchText {
                limit: self.byte_limit,
            });
        }
        self.bytes_left -= n;
        Ok(())
    }

    /// The longest string a function may build.
    pub(crate) fn max_string(&self) -> usize {
        self.max_string
    }

    /// Checks that a string of `n` bytes may be built, before building it.
    pub(crate) fn string_of(&mut self, n: usize) -> Result<(), ExecErrorKind> {
        if n > self.max_string {
            return Err(ExecErrorKind::OutputTooLarge {
                limit: self.max_string,
            });
        }
        self.charge_bytes(n)
    }
}
