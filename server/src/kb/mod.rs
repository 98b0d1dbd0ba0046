//! The knowledge base: articles agents write and customers read (search and suggestions come
//! with the search engine).

pub mod articles;
