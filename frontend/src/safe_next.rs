//! Where the login page may send the user afterwards: a path of this app, never another site.
//! `next=` comes from the URL, so anyone can craft a login link that would otherwise end on
//! their page (an open redirect that borrows our name for phishing).

/// Where to go after signing in when `next` is missing or not a path of this app.
pub const DEFAULT: &str = "/tickets";

/// `next` when it is a same-origin path, else [`DEFAULT`].
///
/// Browsers read `//host`, `/\host` and `\\host` as another host, and drop tabs and line
/// breaks before they parse (`/\t/evil` is `//evil`), so any whitespace, control character or
/// backslash is refused outright rather than cleaned: a real path of the app has none.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_app_path(n) => n.to_owned(),
        _ => DEFAULT.to_owned(),
    }
}

fn is_app_path(n: &str) -> bool {
    let mut chars = n.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/'))
        && !n.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\')
        // Back to the login page would be a loop.
        && n != "/login"
        && !n.starts_with("/login?")
        && !n.starts_with("/login/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_the_app_are_followed() {
        for ok in [
            "/tickets/12",
            "/tickets?status=open&q=a%20b",
            "/",
            "/kb/3#top",
            "/loginhelp",
        ] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
    }

    #[test]
    fn anything_that_could_leave_the_site_goes_to_the_default() {
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            " //evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/tickets\\..\\\\evil",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), DEFAULT, "{bad:?}");
        }
        assert_eq!(safe_next(None), DEFAULT);
    }

    #[test]
    fn the_login_page_itself_is_not_a_target() {
        for bad in ["/login", "/login?next=%2Ftickets", "/login/"] {
            assert_eq!(safe_next(Some(bad)), DEFAULT, "{bad:?}");
        }
    }
}
