"""HTML for provisions, vignettes, chapters and quizzes. All content is escaped: text, never markup."""
