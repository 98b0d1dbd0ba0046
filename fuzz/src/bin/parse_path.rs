//! Fuzz target: arbitrary bytes through the whole inbound parse path (`mail::parse_path::run`).
//! afl's `fuzz!` installs a panic hook that aborts, so a panic caught inside the parser (it
//! degrades to a header-only parse) still counts as a crash here.

use maildesk::mail::parse_path;

fn main() {
    let keys = parse_path::fixed_keys();
    afl::fuzz!(|data: &[u8]| {
        if let Ok(result) = parse_path::run(data, &keys) {
            // What `maildesk mail parse` prints: serializing walks every field once more.
            let _ = std::hint::black_box(serde_json::to_vec(&result.parsed));
            std::hint::black_box(&result);
        }
    });
}
