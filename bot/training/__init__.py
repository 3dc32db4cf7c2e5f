# Training records (rule T1): completions, the due rule, nudges and refresher campaigns.
