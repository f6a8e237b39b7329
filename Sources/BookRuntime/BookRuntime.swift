// The BookRuntime module.
