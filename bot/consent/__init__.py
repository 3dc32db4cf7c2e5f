# The pupil photo and video consent register (policy rules C1, C2).
