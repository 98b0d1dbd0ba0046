//! The two SASL mechanisms that carry an OAuth access token, shared by IMAP, POP3 and SMTP:
//! Google's and Microsoft's XOAUTH2, and OAUTHBEARER (RFC 7628). Both send everything in the
//! first response; a server that refuses answers with a challenge holding a JSON error, to
//! which the client must reply (empty for XOAUTH2, `%x01` for OAUTHBEARER, RFC 7628 §3.2.3)
//! before the server ends the exchange with its failure.

use protocol::MailAuth;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    Xoauth2,
    Oauthbearer,
}

impl Mechanism {
    pub fn of(auth: MailAuth) -> Option<Self> {
        match auth {
            MailAuth::Password => None,
            MailAuth::Xoauth2 => Some(Self::Xoauth2),
            MailAuth::Oauthbearer => Some(Self::Oauthbearer),
        }
    }

    /// The name in `AUTHENTICATE` / `AUTH`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Xoauth2 => "XOAUTH2",
            Self::Oauthbearer => "OAUTHBEARER",
        }
    }

    /// The initial client response, before base64. `host` and `port` are the server's (only
    /// OAUTHBEARER carries them).
    pub fn initial_response(self, user: &str, token: &str, host: &str, port: u16) -> String {
        match self {
            Self::Xoauth2 => format!("user={user}\x01auth=Bearer {token}\x01\x01"),
            Self::Oauthbearer => format!(
                "n,a={},\x01host={host}\x01port={port}\x01auth=Bearer {token}\x01\x01",
                gs2_escape(user)
            ),
        }
    }

    /// The reply to the server's error challenge: it ends the exchange so the server can fail it.
    pub fn abort_response(self) -> &'static str {
        match self {
            Self::Xoauth2 => "",
            Self::Oauthbearer => "\x01",
        }
    }
}

/// RFC 5801 §5: `,` and `=` in the GS2 authorization identity are written `=2C` and `=3D`.
fn gs2_escape(s: &str) -> String {
    s.replace('=', "=3D").replace(',', "=2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_responses_have_the_documented_shape() {
        assert_eq!(
            Mechanism::Xoauth2.initial_response("a@b.test", "tok", "h", 1),
            "user=a@b.test\x01auth=Bearer tok\x01\x01"
        );
        assert_eq!(
            Mechanism::Oauthbearer.initial_response("a,b=c@d.test", "tok", "imap.d.test", 993),
            "n,a=a=2Cb=3Dc@d.test,\x01host=imap.d.test\x01port=993\x01auth=Bearer tok\x01\x01"
        );
        assert_eq!(Mechanism::of(MailAuth::Password), None);
        assert_eq!(
            Mechanism::of(MailAuth::Oauthbearer).map(Mechanism::name),
            Some("OAUTHBEARER")
        );
    }
}
