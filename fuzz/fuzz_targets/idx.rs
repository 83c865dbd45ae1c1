//! Any bytes, as an IDX file of 1 or 3 dimensions: `Ok` or an error, never a panic, and
//! memory bounded by what the header promises and the file can hold.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("mlpkit-fuzz-idx-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("input");
    if std::fs::write(&path, data).is_ok() {
        let _ = mlpkit::data::idx::read_idx(&path, 3);
        let _ = mlpkit::data::idx::read_idx(&path, 1);
    }
    let _ = mlpkit::data::idx::parse_idx(std::path::Path::new("memory"), data.to_vec(), 3);
});
