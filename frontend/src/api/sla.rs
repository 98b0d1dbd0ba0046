//! Service levels (admin screens): business calendars and SLA policies.

use protocol::{BusinessCalendar, SaveCalendar, SaveSlaPolicy, SlaPolicy};

use super::{ApiError, Call, Client};

impl Client {
    /// `GET /admin/calendars`, by name.
    pub async fn calendars(&self) -> Result<Vec<BusinessCalendar>, ApiError> {
        self.call(Call::get("/admin/calendars")).await
    }

    /// `POST /admin/calendars` (`id` none), else `PUT /admin/calendars/{id}`.
    pub async fn save_calendar(&self, id: Option<i64>, calendar: &SaveCalendar) -> Result<BusinessCalendar, ApiError> {
        self.call(Call::save("/admin/calendars", id, calendar)?).await
    }

    /// `DELETE /admin/calendars/{id}`: refused (409) while a policy uses it.
    pub async fn delete_calendar(&self, id: i64) -> Result<(), ApiError> {
        self.call_empty(Call::delete(format!("/admin/calendars/{id}"))).await
    }

    /// `GET /admin/sla-policies`, in list order.
    pub async fn sla_policies(&self) -> Result<Vec<SlaPolicy>, ApiError> {
        self.call(Call::get("/admin/sla-policies")).await
    }

    /// `POST /admin/sla-policies` (`id` none), else `PUT /admin/sla-policies/{id}`.
    pub async fn save_sla_policy(&self, id: Option<i64>, policy: &SaveSlaPolicy) -> Result<SlaPolicy, ApiError> {
        self.call(Call::save("/admin/sla-policies", id, policy)?).await
    }

    /// `DELETE /admin/sla-policies/{id}`.
    pub async fn delete_sla_policy(&self, id: i64) -> Result<(), ApiError> {
        self.call_empty(Call::delete(format!("/admin/sla-policies/{id}"))).await
    }
}
