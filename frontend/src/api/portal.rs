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

    /// Uploads `files` one after the other; the ids to name in the message's `attachment_ids`.
    pub async fn upload_all(&self, ticket_id: i64, files: Vec<web_sys::File>) -> Result<Vec<i64>, ApiError> {
        let mut ids = Vec::with_capacity(files.len());
        for file in files {
            ids.push(self.upload(ticket_id, file).await?.id);
        }
        Ok(ids)
    }
}
