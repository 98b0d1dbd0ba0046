//! Filling a template for one recipient. Every value is escaped for the HTML body; links and
//! lists are built here, so a template author cannot break the markup with a ticket subject.

use chrono::{DateTime, Utc};

use super::placeholders::{self, Found, scan};

/// One public message of the thread (internal notes are never loaded into these).
#[derive(Debug, Clone)]
pub struct ThreadEntry {
    pub author: String,
    pub at: DateTime<Utc>,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct FileLink {
    pub filename: String,
    pub size: i64,
    pub url: String,
}

/// What the ticket says, the same for every recipient.
#[derive(Debug, Clone, Default)]
pub struct TicketVars {
    pub number: i64,
    pub subject: String,
    pub category: String,
    pub priority: String,
    pub status: String,
    pub via: String,
    pub created_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub requester_name: String,
    pub requester_email: String,
    pub company: String,
    pub technician: String,
    pub technician_email: String,
    /// Newest first.
    pub thread: Vec<ThreadEntry>,
    pub attachments: Vec<FileLink>,
    pub recent_attachments: Vec<FileLink>,
    /// (email, is staff)
    pub subscribers: Vec<(String, bool)>,
    pub kb_articles: Vec<(String, String)>,
    pub time_spent_minutes: i64,
    /// Every custom field with a value: (id, name, value as read, public).
    pub custom_fields: Vec<CustomFieldVar>,
}

#[derive(Debug, Clone, Default)]
pub struct CustomFieldVar {
    pub id: i64,
    pub name: String,
    pub value: String,
    pub public: bool,
}

/// What differs per event and per recipient.
#[derive(Debug, Clone, Default)]
pub struct RecipientVars {
    pub what_happened: String,
    pub originator: String,
    pub name: String,
    /// The ticket link: an autologin link for customers when enabled.
    pub url: String,
    pub recipients: Vec<String>,
    pub unsubscribe_url: Option<String>,
    /// Good, OK, Bad.
    pub rating_urls: Option<[String; 3]>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Text,
    Html,
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn text_value(mode: Mode, s: &str) -> String {
    match mode {
        Mode::Text => s.to_owned(),
        Mode::Html => escape(s).replace('\n', "<br>\n"),
    }
}

fn link(mode: Mode, url: &str, label: &str) -> String {
    match mode {
        Mode::Text => format!("{label}: {url}"),
        Mode::Html => format!("<a href=\"{}\">{}</a>", escape(url), escape(label)),
    }
}

fn date(d: Option<DateTime<Utc>>) -> String {
    d.map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

fn thread(mode: Mode, entries: &[ThreadEntry]) -> String {
    let parts: Vec<String> = entries
        .iter()
        .map(|e| {
            let head = format!("{} — {}", e.author, date(Some(e.at)));
            match mode {
                Mode::Text => format!("{head}\n{}\n", e.text.trim()),
                Mode::Html => format!(
                    "<div class=\"md-message\"><p><b>{}</b></p><p>{}</p></div>",
                    escape(&head),
                    text_value(mode, e.text.trim())
                ),
            }
        })
        .collect();
    match mode {
        Mode::Text => parts.join("\n----\n"),
        Mode::Html => parts.join("<hr>"),
    }
}

fn files(mode: Mode, files: &[FileLink]) -> String {
    let lines: Vec<String> = files
        .iter()
        .map(|f| link(mode, &f.url, &format!("{} ({} KB)", f.filename, (f.size + 1023) / 1024)))
        .collect();
    match mode {
        Mode::Text => lines.join("\n"),
        Mode::Html => lines.join("<br>"),
    }
}

/// `#TimeSpent#`: "1 h 30 min", "45 min", "0 min".
fn duration(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn first_last(name: &str) -> (String, String) {
    let mut words = name.split_whitespace();
    let first = words.next().unwrap_or_default().to_owned();
    (first, words.collect::<Vec<_>>().join(" "))
}

fn value(mode: Mode, f: &Found, t: &TicketVars, r: &RecipientVars) -> Option<String> {
    let plain = |s: &str| text_value(mode, s);
    Some(match f.name? {
        "What_Happened" => plain(&r.what_happened),
        "What_Happened_Short" => plain(&r.what_happened.chars().take(100).collect::<String>()),
        "Category" => plain(&t.category),
        "Subject" => plain(&t.subject),
        "From" => plain(&t.requester_name),
        "FromEmail" => plain(&t.requester_email),
        "FirstName" => plain(&first_last(&t.requester_name).0),
        "LastName" => plain(&first_last(&t.requester_name).1),
        "Originator" => plain(&r.originator),
        "Priority" => plain(&t.priority),
        "Status" => plain(&t.status),
        "Body" => plain(t.thread.last().map(|m| m.text.as_str()).unwrap_or_default()),
        "URL" => match mode {
            Mode::Text => r.url.clone(),
            Mode::Html => link(mode, &r.url, &r.url),
        },
        "Recipients" => plain(&r.recipients.join(", ")),
        "Recent_messages" => thread(mode, &t.thread[..t.thread.len().min(f.count.unwrap_or(5))]),
        "Most_recent_message" => thread(mode, &t.thread[..t.thread.len().min(1)]),
        "Company" => plain(&t.company),
        "Attachments" => files(mode, &t.attachments),
        "Recent_Attachments" => files(mode, &t.recent_attachments),
        "TicketID" => t.number.to_string(),
        "Technician" => plain(&t.technician),
        "TechnicianEmail" => plain(&t.technician_email),
        "Date" => date(t.created_at),
        "DueDate" => date(t.due_at),
        "Via" => plain(&t.via),
        "Subscribers" => subscribers(mode, t, false),
        "NonTechSubscribers" => subscribers(mode, t, true),
        "Suggested_KB_articles" => kb_articles(mode, t),
        "RatingLinks" => rating_links(mode, f, r),
        "Unsubscribe" => match &r.unsubscribe_url {
            Some(url) => link(mode, url, "Unsubscribe from this ticket"),
            None => String::new(),
        },
        "RecipientName" => plain(&r.name),
        "TimeSpent" => duration(t.time_spent_minutes),
        "Custom_Fields" => public_custom_fields(mode, t),
        placeholders::CUSTOM_FIELD => custom_field(mode, f, t),
        _ => return None,
    })
}

/// `#Subscribers#` (everyone) or `#NonTechSubscribers#` (`customers_only`), as one line.
fn subscribers(mode: Mode, t: &TicketVars, customers_only: bool) -> String {
    text_value(
        mode,
        &t.subscribers
            .iter()
            .filter(|(_, staff)| !(customers_only && *staff))
            .map(|(e, _)| e.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// `#Suggested_KB_articles#`: one link per line.
fn kb_articles(mode: Mode, t: &TicketVars) -> String {
    let lines: Vec<String> = t
        .kb_articles
        .iter()
        .map(|(title, url)| link(mode, url, title))
        .collect();
    lines.join(if mode == Mode::Html { "<br>" } else { "\n" })
}

/// `#RatingLinks#` with its optional prompt; empty in a mail that is not for one customer.
fn rating_links(mode: Mode, f: &Found, r: &RecipientVars) -> String {
    match &r.rating_urls {
        Some([good, ok, bad]) => {
            let prompt = f.argument.as_deref().unwrap_or("Please rate your experience");
            let links = [link(mode, good, "Good"), link(mode, ok, "OK"), link(mode, bad, "Bad")];
            match mode {
                Mode::Text => format!("{prompt}\n{}", links.join("\n")),
                Mode::Html => format!("<p>{}</p><p>{}</p>", escape(prompt), links.join(" · ")),
            }
        }
        None => String::new(),
    }
}

/// `#Custom_Fields#`: public fields only (seed 002): a template is often sent to customers.
fn public_custom_fields(mode: Mode, t: &TicketVars) -> String {
    let lines: Vec<String> = t
        .custom_fields
        .iter()
        .filter(|f| f.public)
        .map(|f| text_value(mode, &format!("{}: {}", f.name, f.value)))
        .collect();
    lines.join(if mode == Mode::Html { "<br>" } else { "\n" })
}

/// One field by id, whatever its visibility: the admin named it on purpose.
fn custom_field(mode: Mode, f: &Found, t: &TicketVars) -> String {
    let id = f.count.and_then(|c| i64::try_from(c).ok());
    let field = t.custom_fields.iter().find(|cf| Some(cf.id) == id);
    text_value(mode, field.map(|cf| cf.value.as_str()).unwrap_or_default())
}

/// The template with every known placeholder filled; unknown ones stay as written (saving a
/// template refuses them, so only the built-in defaults could have any).
pub fn render(template: &str, mode: Mode, t: &TicketVars, r: &RecipientVars) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut last = 0;
    for f in scan(template) {
        out.push_str(&template[last..f.start]);
        match value(mode, &f, t, r) {
            Some(v) => out.push_str(&v),
            None => out.push_str(&template[f.start..f.end]),
        }
        last = f.end;
    }
    out.push_str(&template[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> (TicketVars, RecipientVars) {
        let t = TicketVars {
            number: 42,
            subject: "Printer <b>on fire</b>".into(),
            category: "Hardware".into(),
            requester_name: "Carl Otto Kunde".into(),
            thread: vec![
                ThreadEntry {
                    author: "Ann".into(),
                    at: Utc::now(),
                    text: "Newest".into(),
                },
                ThreadEntry {
                    author: "Carl".into(),
                    at: Utc::now(),
                    text: "Older".into(),
                },
            ],
            ..Default::default()
        };
        let r = RecipientVars {
            url: "https://desk.test/t/42".into(),
            rating_urls: Some(["g".into(), "o".into(), "b".into()]),
            ..Default::default()
        };
        (t, r)
    }

    #[test]
    fn html_values_are_escaped_and_text_values_are_not() {
        let (t, r) = vars();
        assert_eq!(
            render("#Subject#", Mode::Html, &t, &r),
            "Printer &lt;b&gt;on fire&lt;/b&gt;"
        );
        assert_eq!(
            render("%{ticket.subject}", Mode::Text, &t, &r),
            "Printer <b>on fire</b>"
        );
    }

    #[test]
    fn names_counts_and_links() {
        let (t, r) = vars();
        assert_eq!(
            render("#FirstName#/#LastName#/#TicketID#", Mode::Text, &t, &r),
            "Carl/Otto Kunde/42"
        );
        let one = render("#1Recent_messages#", Mode::Text, &t, &r);
        assert!(one.contains("Newest") && !one.contains("Older"), "{one}");
        let rating = render("#RatingLinks(How did we do?)#", Mode::Html, &t, &r);
        assert!(
            rating.contains("How did we do?") && rating.contains("href=\"g\""),
            "{rating}"
        );
        assert_eq!(render("#Unsubscribe#", Mode::Text, &t, &r), "", "no link, no text");
    }

    #[test]
    fn time_spent_and_custom_fields_respect_visibility() {
        let (mut t, r) = vars();
        t.time_spent_minutes = 90;
        let cf = |id, name: &str, value: &str, public| CustomFieldVar {
            id,
            name: name.into(),
            value: value.into(),
            public,
        };
        t.custom_fields = vec![cf(3, "Plan", "Gold & more", true), cf(9, "Margin", "12%", false)];
        assert_eq!(render("#TimeSpent#", Mode::Text, &t, &r), "1 h 30 min");
        t.time_spent_minutes = 45;
        assert_eq!(render("#TimeSpent#", Mode::Text, &t, &r), "45 min");
        assert_eq!(render("#Custom_Fields#", Mode::Text, &t, &r), "Plan: Gold & more");
        assert_eq!(render("#Custom_Fields#", Mode::Html, &t, &r), "Plan: Gold &amp; more");
        assert_eq!(render("#CF_9#|#CF_3#|#CF_4#", Mode::Text, &t, &r), "12%|Gold & more|");
    }
}
