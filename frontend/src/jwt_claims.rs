//! A JWT's claims read in the browser, without verifying the signature: the server verifies
//! every token; the app only reads what saves it a round trip (when a token expires, which
//! ticket a mail link opens).

use serde::de::DeserializeOwned;

/// The claims of `token` as `T`, or None when it is not a readable JWT.
pub fn claims<T: DeserializeOwned>(token: &str) -> Option<T> {
    let payload = token.split('.').nth(1)?;
    // `atob` yields one char per byte; the claims we read are ASCII.
    let json = web_sys::window()?.atob(&standard_base64(payload)).ok()?;
    serde_json::from_str(&json).ok()
}

/// JWTs use unpadded base64url; `atob` takes the standard alphabet, padded.
fn standard_base64(url_safe: &str) -> String {
    let mut b64: String = url_safe
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while !b64.len().is_multiple_of(4) {
        b64.push('=');
    }
    b64
}

#[cfg(test)]
mod tests {
    use super::standard_base64;

    #[test]
    fn url_safe_characters_are_mapped_and_the_length_padded() {
        assert_eq!(standard_base64("eyJ0a3QiOjF9"), "eyJ0a3QiOjF9");
        assert_eq!(standard_base64("a-b_c"), "a+b/c===");
        assert_eq!(standard_base64("ab"), "ab==");
        assert_eq!(standard_base64(""), "");
    }
}
