"""The commands nova_fpga installs."""

import warnings

# Importing Nova imports eventlet, which warns on every start; an operator
# command's standard error is for what the operator must read.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
