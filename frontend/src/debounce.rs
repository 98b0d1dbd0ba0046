//! Following a signal only once it has stopped changing, so typing sends one request per pause
//! rather than one per key.

use std::time::Duration;

use leptos::prelude::*;

/// How long typing must pause before a search runs.
pub const TYPING_PAUSE: Duration = Duration::from_millis(250);

/// A signal that takes `source`'s value once `source` has kept it for `delay`.
pub fn debounced<T>(source: Signal<T>, delay: Duration) -> Signal<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let settled = RwSignal::new(source.get_untracked());
    let pending = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let value = source.get();
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                // The owner may be gone by now: `try_` so a late timer is a no-op.
                if settled.try_with_untracked(|s| *s != value) == Some(true) {
                    settled.try_set(value);
                }
            },
            delay,
        );
        pending.set_value(handle.ok());
    });
    on_cleanup(move || {
        if let Some(handle) = pending.try_get_value().flatten() {
            handle.clear();
        }
    });
    settled.into()
}
