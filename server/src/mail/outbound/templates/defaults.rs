//! The built-in templates, used until an admin saves their own. Their wording lives in
//! `defaults.txt` (prose, not code), read once; `of` hands out one event's.

use std::collections::HashMap;
use std::sync::LazyLock;

use protocol::TemplateEvent;

pub struct Default {
    pub subject: &'static str,
    pub text: &'static str,
    pub html: &'static str,
}

const SOURCE: &str = include_str!("defaults.txt");

static ALL: LazyLock<HashMap<TemplateEvent, (String, String, String)>> = LazyLock::new(|| parse(SOURCE));

/// One event's built-in template. Every event has one (a test reads the file); were one
/// missing, the template would be empty, which sends nothing rather than a broken mail.
pub fn of(event: TemplateEvent) -> Default {
    match ALL.get(&event) {
        Some((subject, text, html)) => Default { subject, text, html },
        None => Default {
            subject: "",
            text: "",
            html: "",
        },
    }
}

/// `[event]` starts a block; `subject:`, `text:` and `html:` lines fill it; `#` lines are
/// comments. In `text`, `\n` is a line break.
fn parse(source: &str) -> HashMap<TemplateEvent, (String, String, String)> {
    let mut out = HashMap::new();
    let mut current: Option<(TemplateEvent, (String, String, String))> = None;
    for line in source.lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            out.extend(current.take());
            current = TemplateEvent::parse(name).map(|e| (e, (String::new(), String::new(), String::new())));
        } else if let Some((_, parts)) = current.as_mut() {
            if let Some(v) = line.strip_prefix("subject: ") {
                parts.0 = v.to_owned();
            } else if let Some(v) = line.strip_prefix("text: ") {
                parts.1 = v.replace("\\n", "\n");
            } else if let Some(v) = line.strip_prefix("html: ") {
                parts.2 = v.to_owned();
            }
        }
    }
    out.extend(current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::outbound::templates::placeholders::unknown;

    #[test]
    fn every_event_has_a_whole_default_with_real_line_breaks() {
        for e in TemplateEvent::ALL {
            let d = of(e);
            assert!(
                !d.subject.is_empty() && !d.text.is_empty() && !d.html.is_empty(),
                "{e:?}"
            );
            assert!(d.text.ends_with('\n') && !d.text.contains("\\n"), "{e:?}: {:?}", d.text);
        }
    }

    #[test]
    fn every_default_uses_only_known_placeholders() {
        for e in TemplateEvent::ALL {
            let d = of(e);
            for part in [d.subject, d.text, d.html] {
                assert!(unknown(part).is_empty(), "{e:?}: {:?}", unknown(part));
            }
        }
    }
}
