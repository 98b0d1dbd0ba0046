use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok` when every engine answers, `degraded` otherwise.
    pub status: String,
    pub version: String,
    pub engines: Vec<EngineHealth>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EngineHealth {
    /// `database`, `bus`, `blobs`…
    pub name: String,
    /// Which implementation runs: `sqlite`, `postgres`, `in_process`, `redis`, `filesystem`…
    pub kind: String,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
