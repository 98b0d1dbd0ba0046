//! The knowledge base: reading and searching articles (signed in or not, when the portal's help
//! center is public), "was this helpful?", and writing articles (staff).

use protocol::{KbArticle, KbFeedback, KbHit, KbSearchParams, Page, SaveKbArticle};

use super::{ApiError, Call, Client};

impl Client {
    /// `GET /kb/articles`: the articles the caller may read, newest first.
    pub async fn kb_articles(
        &self,
        category_id: Option<i64>,
        page: u64,
        per_page: u64,
    ) -> Result<Page<KbArticle>, ApiError> {
        let mut query = vec![("page", page.max(1).to_string()), ("per_page", per_page.to_string())];
        if let Some(c) = category_id {
            query.push(("category_id", c.to_string()));
        }
        self.call_as_reader(Call::get("/kb/articles").query(query)).await
    }

    /// `GET /kb/articles/{id}`.
    pub async fn kb_article(&self, id: i64) -> Result<KbArticle, ApiError> {
        self.call_as_reader(Call::get(format!("/kb/articles/{id}"))).await
    }

    /// `GET /kb/search`.
    pub async fn kb_search(&self, p: &KbSearchParams) -> Result<Vec<KbHit>, ApiError> {
        let mut query = vec![("q", p.q.clone())];
        if let Some(c) = p.category_id {
            query.push(("category_id", c.to_string()));
        }
        if let Some(l) = p.limit {
            query.push(("limit", l.to_string()));
        }
        self.call_as_reader(Call::get("/kb/search").query(query)).await
    }

    /// `POST /kb/articles/{id}/feedback`: answers with the article and its new counts.
    pub async fn kb_feedback(&self, id: i64, helpful: bool) -> Result<KbArticle, ApiError> {
        self.call_as_reader(Call::post(
            format!("/kb/articles/{id}/feedback"),
            &KbFeedback { helpful },
        )?)
        .await
    }

    /// `POST /kb/articles` (staff).
    pub async fn create_kb_article(&self, a: &SaveKbArticle) -> Result<KbArticle, ApiError> {
        self.call(Call::post("/kb/articles", a)?).await
    }

    /// `PUT /kb/articles/{id}` (staff): replaces the article.
    pub async fn update_kb_article(&self, id: i64, a: &SaveKbArticle) -> Result<KbArticle, ApiError> {
        self.call(Call::put(format!("/kb/articles/{id}"), a)?).await
    }

    /// `DELETE /kb/articles/{id}` (staff).
    pub async fn delete_kb_article(&self, id: i64) -> Result<(), ApiError> {
        self.call_empty(Call::delete(format!("/kb/articles/{id}"))).await
    }
}
