# Tasks people must do: take-downs after a consent withdrawal, consent at 18.
