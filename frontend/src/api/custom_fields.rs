//! Custom ticket fields: the definitions (admins edit them) and a ticket's values.

use std::collections::BTreeMap;

use protocol::{CustomField, SaveCustomField, SetCustomValues, TicketDetail};

use super::{ApiError, Call, Client};

impl Client {
    /// `GET /custom-fields`: the definitions the user may see, in display order.
    pub async fn custom_fields(&self) -> Result<Vec<CustomField>, ApiError> {
        self.call(Call::get("/custom-fields")).await
    }

    /// `POST /admin/custom-fields` (`id` none), else `PUT /admin/custom-fields/{id}`.
    pub async fn save_custom_field(&self, id: Option<i64>, field: &SaveCustomField) -> Result<CustomField, ApiError> {
        self.call(Call::save("/admin/custom-fields", id, field)?).await
    }

    /// `DELETE /admin/custom-fields/{id}`.
    pub async fn delete_custom_field(&self, id: i64) -> Result<(), ApiError> {
        self.call_empty(Call::delete(format!("/admin/custom-fields/{id}")))
            .await
    }

    /// `PUT /tickets/{id}/custom-fields`: field id → value (`null` clears), against `version`.
    pub async fn set_custom_values(
        &self,
        id: i64,
        version: i64,
        values: BTreeMap<String, serde_json::Value>,
    ) -> Result<TicketDetail, ApiError> {
        let body = SetCustomValues { version, values };
        self.call(Call::put(format!("/tickets/{id}/custom-fields"), &body)?)
            .await
    }
}
