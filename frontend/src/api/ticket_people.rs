//! Who follows a ticket (CC subscribers), and splitting a message off into a ticket of its own.

use protocol::{AddSubscriber, SplitMessage, TicketDetail};

use super::{ApiError, Call, Client};

impl Client {
    /// `POST /tickets/{id}/subscribers`: copy `email` on the ticket's mail. No version: adding
    /// someone twice is harmless, so the server does not lock the ticket for it.
    pub async fn add_subscriber(&self, id: i64, email: String) -> Result<TicketDetail, ApiError> {
        self.call(Call::post(
            format!("/tickets/{id}/subscribers"),
            &AddSubscriber { email },
        )?)
        .await
    }

    /// `DELETE /tickets/{id}/subscribers/{email}`.
    pub async fn remove_subscriber(&self, id: i64, email: &str) -> Result<TicketDetail, ApiError> {
        // The address is one path segment: `/`, `?`, `#` or `%` in it must not change the route.
        let email = String::from(js_sys::encode_uri_component(email));
        self.call(Call::delete(format!("/tickets/{id}/subscribers/{email}")))
            .await
    }

    /// `POST /tickets/{id}/split`: moves one message into a new ticket; answers with the new one.
    pub async fn split(&self, id: i64, message_id: i64, version: i64) -> Result<TicketDetail, ApiError> {
        let body = SplitMessage { message_id, version };
        self.call(Call::post(format!("/tickets/{id}/split"), &body)?).await
    }
}
