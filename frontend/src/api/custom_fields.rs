//! Custom ticket fields: the definitions (admins edit them) and a ticket's values.

use protocol::CustomField;

use super::{ApiError, Call, Client};

impl Client {
    /// `GET /custom-fields`: the definitions the user may see, in display order.
    pub async fn custom_fields(&self) -> Result<Vec<CustomField>, ApiError> {
        self.call(Call::get("/custom-fields")).await
    }
}
