-- KEYS[KEY0 + 1] the owner's lease set. ARGV[ARG0 + 1] owner. Requeues every message leased to
-- the owner, leasable at once. Returns how many.
return requeue_held(KEYS[KEY0 + 1], 'owner', ARGV[ARG0 + 1])
