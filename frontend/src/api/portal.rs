//! What the customer portal adds: new tickets, uploads and the emailed autologin links.

use protocol::{Attachment, AutologinRequest, CreateTicket, TicketDetail, TokenResponse};

use super::{ApiError, Call, Client, read};

/// `POST /auth/autologin` (no session needed): an emailed link traded for a session.
pub async fn autologin(token: String) -> Result<TokenResponse, ApiError> {
    let call = Call::post("/auth/autologin", &AutologinRequest { token })?;
    read(call.send(None).await?).await
}

impl Client {
    /// `POST /tickets`.
    pub async fn create_ticket(&self, ticket: &CreateTicket) -> Result<TicketDetail, ApiError> {
        self.call(Call::post("/tickets", ticket)?).await
    }

    /// `POST /tickets/{id}/attachments?filename=…` with the file as the body.
    pub async fn upload(&self, ticket_id: i64, file: web_sys::File) -> Result<Attachment, ApiError> {
        let name = file.name();
        let call = Call::upload(format!("/tickets/{ticket_id}/attachments"), file).query(vec![("filename", name)]);
        self.call(call).await
    }
}
