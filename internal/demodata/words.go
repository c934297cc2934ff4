package demodata

var (
	firstNames = []string{"Noa", "Yosef", "Tamar", "David", "Maya", "Avi", "Shira", "Eitan", "Yael", "Omer",
		"Lior", "Dana", "Amir", "Rina", "Itai", "Michal", "Ariel", "Hila", "Nadav", "Sara", "Karim", "Lina",
		"Jonathan", "Emily", "Daniel", "Sophie"}
	lastNames = []string{"Cohen", "Levi", "Mizrahi", "Peretz", "Biton", "Dahan", "Avraham", "Friedman",
		"Azoulay", "Katz", "Shapiro", "Haddad", "Ben-David", "Goldberg", "Rosen", "Khoury", "Smith", "Miller"}
	companyWords    = []string{"Golan", "Carmel", "Negev", "Galil", "Sharon", "Arava", "Tavor", "Hermon", "Yarden", "Kinneret"}
	companySuffixes = []string{"Clinic", "Realty", "Auto Care", "Dental", "Fitness", "Law Office", "Insurance", "Solar", "Catering"}
	leadStatuses    = []string{"new", "new", "contacted", "qualified", "proposal", "won", "lost"}
	leadSources     = []string{"web", "whatsapp", "phone", "referral", "facebook", "google_ads"}
	callDirections  = []string{"inbound", "inbound", "outbound", "outbound", "missed"}
	channels        = []string{"whatsapp", "whatsapp", "sms", "email"}
	subjects        = []string{"Price inquiry", "Appointment", "Follow-up", "Quote request", "Support", "Invoice question"}
	messageBodies   = []string{"Hi, is this still available?", "Thanks, talk tomorrow", "Can you send the quote?",
		"Your appointment is confirmed", "We received your payment", "What time works for you?", "On my way"}
	broadcastBodies   = []string{"Holiday hours: we are open until 14:00", "New: book online in 30 seconds", "20% off this week only"}
	reminderNotes     = []string{"Call back about the quote", "Send contract", "Check payment", "Confirm appointment"}
	activityKinds     = []string{"call.logged", "message.sent", "status.changed", "note.added", "appointment.booked"}
	appointmentTitles = []string{"Consultation", "Site visit", "Follow-up meeting", "Installation", "Check-up"}
	// appointments_source_check allows manual, voice_agent, whatsapp, web and google_sync.
	appointmentSources = []string{"manual", "voice_agent", "whatsapp", "web", "google_sync"}
)
