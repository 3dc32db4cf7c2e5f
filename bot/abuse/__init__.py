# The abuse log (M7): abusive or inappropriate comments about a school or the Trust.
