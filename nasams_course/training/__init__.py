"""What a trainer runs outside the book: syllabi and the sessions built from them (session book, facilitator
guide, learner handout), the gradebook, cohort reports and certificates. The notebook helpers trainers call
inside Jupyter are in nasams_course.trainer."""
