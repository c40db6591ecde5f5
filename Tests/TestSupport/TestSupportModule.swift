// TestSupport: helpers shared by the test targets (server environment, scripted peers).
