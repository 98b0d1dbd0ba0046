//! Reports for managers (admins): the figures as JSON and the same rows as a CSV download.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use protocol::Report;

use crate::auth::{CurrentUser, TicketedUser};
use crate::context::AppContext;
use crate::error::AppResult;
use crate::http::content_disposition;
use crate::reports::{self, RawQuery};

/// Query of `GET /reports` and `GET /reports.csv`. Read as text so each mistake is a 422
/// naming the field (a typed query would fail with a generic 400). Unknown fields are allowed:
/// a browser download of the CSV authenticates with a one-time `ticket` in the query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// First day, inclusive, `YYYY-MM-DD` in `tz`.
    #[param(value_type = Option<chrono::NaiveDate>)]
    from: Option<String>,
    /// Last day, inclusive; at most 366 days after `from`.
    #[param(value_type = Option<chrono::NaiveDate>)]
    to: Option<String>,
    /// `day` (default), `week`, `category`, `agent` or `company`.
    #[param(value_type = Option<protocol::ReportGroupBy>)]
    group_by: Option<String>,
    /// IANA time zone the days are cut in (default `UTC`).
    tz: Option<String>,
}

impl From<ReportParams> for RawQuery {
    fn from(p: ReportParams) -> Self {
        Self {
            from: p.from,
            to: p.to,
            group_by: p.group_by,
            tz: p.tz,
        }
    }
}

async fn build(ctx: &AppContext, user: &CurrentUser, params: ReportParams) -> AppResult<Report> {
    // Figures across every queue and agent: only managers, who are the admins.
    user.require_admin()?;
    reports::build(ctx.db(), &params.into()).await
}

/// Ticket figures over a range of days, grouped by day, week, category, agent or company.
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", params(ReportParams), security(("bearer" = [])),
    responses((status = 200, body = Report), (status = 403, body = protocol::ErrorBody), (status = 422, body = protocol::ErrorBody)))]
#[get("/reports")]
pub async fn get_report(
    ctx: web::Data<AppContext>,
    user: CurrentUser,
    q: web::Query<ReportParams>,
) -> AppResult<web::Json<Report>> {
    Ok(web::Json(build(&ctx, &user, q.into_inner()).await?))
}

/// The same report as CSV: a header, one row per group, the totals row last. A browser
/// download authenticates with a one-time `?ticket=` (`POST /auth/ticket`).
#[utoipa::path(get, path = "/api/v1/reports.csv", tag = "reports", params(ReportParams, ("ticket" = Option<String>, Query)),
    security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv"), (status = 401, body = protocol::ErrorBody),
              (status = 403, body = protocol::ErrorBody), (status = 422, body = protocol::ErrorBody)))]
#[get("/reports.csv")]
pub async fn get_report_csv(
    ctx: web::Data<AppContext>,
    TicketedUser(user): TicketedUser,
    q: web::Query<ReportParams>,
) -> AppResult<HttpResponse> {
    let report = build(&ctx, &user, q.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            content_disposition::attachment(&reports::csv::filename(&report)),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(reports::csv::render(&report)))
}

routes!(get_report, get_report_csv);
