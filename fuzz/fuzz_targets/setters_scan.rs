//! Fuzz the marker scanner and the rewrite: never panic, spans stay in
//! bounds and ordered, and a rewrite is stable (applying twice = once).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use weir_setters::{ImageRef, Setters};

fn check(setters: &Setters, input: &[u8]) {
    let scan = weir_setters::scan(input);
    let mut last_end = 0;
    for m in &scan.markers {
        assert!(m.range.start <= m.range.end && m.range.end <= input.len());
        assert!(m.range.start >= last_end, "marked scalars overlap");
        last_end = m.range.end;
    }
    let once = setters.apply_to_bytes(Path::new("fuzz.yaml"), input);
    if let Some(out) = &once.new_bytes {
        let twice = setters.apply_to_bytes(Path::new("fuzz.yaml"), out);
        assert!(twice.new_bytes.is_none(), "second run changed the file");
        assert_eq!(twice.changes.len(), once.changes.len());
    }
}

fuzz_target!(|data: &[u8]| {
    let image: ImageRef = match "registry.local:5000/team/app:20240101".parse() {
        Ok(image) => image,
        Err(_) => return,
    };
    let setters = Setters::new([("ns:app".to_owned(), image)]);
    check(&setters, data);
    // Most inputs lack the screening token; also try each with a marker
    // comment trailing its last line.
    let mut marked = data.to_vec();
    marked.extend_from_slice(b" # {\"$imagepolicy\": \"ns:app\"}\n");
    check(&setters, &marked);
});
