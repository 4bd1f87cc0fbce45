pub const KNOWN_GAPS: &[(&str, &str)] = &[];
