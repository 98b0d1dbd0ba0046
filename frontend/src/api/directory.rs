//! Users, companies, categories and canned responses (admin screens).

use protocol::{
    CannedResponse, Category, Company, CreateCannedResponse, CreateCategory, CreateCompany, CreateUser,
    SetCategoryAgents, User,
};

use super::{ApiError, Call, Client};

impl Client {
    /// `GET /users`.
    pub async fn users(&self) -> Result<Vec<User>, ApiError> {
        self.call(Call::get("/users")).await
    }

    /// `POST /users`.
    pub async fn create_user(&self, user: &CreateUser) -> Result<User, ApiError> {
        self.call(Call::post("/users", user)?).await
    }

    /// `GET /companies`.
    pub async fn companies(&self) -> Result<Vec<Company>, ApiError> {
        self.call(Call::get("/companies")).await
    }

    /// `POST /companies`.
    pub async fn create_company(&self, company: &CreateCompany) -> Result<Company, ApiError> {
        self.call(Call::post("/companies", company)?).await
    }

    /// `POST /categories`.
    pub async fn create_category(&self, category: &CreateCategory) -> Result<Category, ApiError> {
        self.call(Call::post("/categories", category)?).await
    }

    /// `PUT /categories/{id}/agents`.
    pub async fn set_category_agents(&self, id: i64, agent_ids: Vec<i64>) -> Result<Category, ApiError> {
        self.call(Call::put(
            format!("/categories/{id}/agents"),
            &SetCategoryAgents { agent_ids },
        )?)
        .await
    }

    /// `GET /canned-responses`.
    pub async fn canned_responses(&self) -> Result<Vec<CannedResponse>, ApiError> {
        self.call(Call::get("/canned-responses")).await
    }

    /// `POST /canned-responses`.
    pub async fn create_canned(&self, canned: &CreateCannedResponse) -> Result<CannedResponse, ApiError> {
        self.call(Call::post("/canned-responses", canned)?).await
    }

    /// `DELETE /canned-responses/{id}`.
    pub async fn delete_canned(&self, id: i64) -> Result<(), ApiError> {
        self.call_empty(Call::delete(format!("/canned-responses/{id}"))).await
    }
}
