"""The lifter's pages, a module per concern: workouts (the screen used between sets),
history (the list, the CSV export, fixing a finished workout), progress, exercises,
routines, imports, account, and what makes the app installable (pwa)."""
