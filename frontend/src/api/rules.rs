//! Automation rules (admin screen) and their dry run.

use protocol::{DryRunRequest, DryRunResult, Rule, SaveRule};

use super::{ApiError, Call, Client};

impl Client {
    /// `GET /admin/rules`, in evaluation order.
    pub async fn rules(&self) -> Result<Vec<Rule>, ApiError> {
        self.call(Call::get("/admin/rules")).await
    }

    /// `POST /admin/rules` (`id` none: the new rule goes last unless it names a position), else
    /// `PUT /admin/rules/{id}` (every field, the position kept when left out).
    pub async fn save_rule(&self, id: Option<i64>, rule: &SaveRule) -> Result<Rule, ApiError> {
        self.call(Call::save("/admin/rules", id, rule)?).await
    }

    /// `DELETE /admin/rules/{id}`.
    pub async fn delete_rule(&self, id: i64) -> Result<(), ApiError> {
        self.call_empty(Call::delete(format!("/admin/rules/{id}"))).await
    }

    /// `POST /admin/rules/dry-run`: which rules would match the ticket now; changes nothing.
    pub async fn dry_run_rules(&self, req: &DryRunRequest) -> Result<DryRunResult, ApiError> {
        self.call(Call::post("/admin/rules/dry-run", req)?).await
    }
}
